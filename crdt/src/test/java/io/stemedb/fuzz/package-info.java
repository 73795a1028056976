/**
 * What the fuzz suites of every module share: ways to damage valid input (bytes and text) and the
 * one check every parser of outside input must pass: it ends in a value or in a typed exception,
 * within a time bound, never in another exception or a hang.
 *
 * <p>The fuzz properties themselves live beside the parsers they exercise (they need package
 * access), are named {@code *FuzzProperties} and tagged {@value Fuzz#TAG}. They take jqwik's
 * default number of tries (1,000: seconds per parser in the normal build); the {@code fuzz} Maven
 * profile runs only them, with {@code jqwik.tries.default} raised (docs/operations.md, "Limits").
 * Stateless and thread-safe; test code only, shipped to other modules' tests as the crdt test jar.
 */
package io.stemedb.fuzz;
