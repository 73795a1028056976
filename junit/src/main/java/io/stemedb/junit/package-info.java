/**
 * StemeDB for JUnit 5 tests: a fresh database per test, a clock the test sets, and assertions
 * that explain their failures. Start at {@link io.stemedb.junit.StemeDBTest} or
 * {@link io.stemedb.junit.StemeDBExtension}, and {@link io.stemedb.junit.StemeDBAssertions}.
 *
 * <p><b>What is created per test.</b> Every test gets its own fixtures, created when a parameter
 * first asks for them and gone after the test: each {@code StemeDB} parameter a new database in
 * memory, each {@code @OnDisk StemeDB} a new RocksDB database in a new temporary directory, and
 * one {@link io.stemedb.junit.ManualClock} that all of that test's databases read. The n-th
 * database parameter of a {@code @BeforeEach}, the test and an {@code @AfterEach} method is the
 * same database. After the {@code @AfterEach} methods, the extension closes every database and
 * deletes every directory, whether the test passed or not. Fixtures are never shared between
 * tests, so they cannot be parameters of a constructor or of a {@code @BeforeAll} method: asking
 * there fails with a {@link org.junit.jupiter.api.extension.ParameterResolutionException}.
 *
 * <p><b>Threading.</b> The extension keeps each test's fixtures in that test's JUnit context, so
 * tests may run in parallel. The injected databases are thread-safe like any StemeDB, and so is
 * {@link io.stemedb.junit.ManualClock}; the assertions are stateless.
 *
 * <p><b>Exceptions.</b> A failed assertion throws {@link org.opentest4j.AssertionFailedError}
 * with the expected and actual outcome and the resolution's explanation. A fixture that cannot be
 * created (for example a directory that cannot be made, or a RocksDB that will not open) fails
 * the parameter's resolution with a
 * {@link org.junit.jupiter.api.extension.ParameterResolutionException} whose cause is the
 * StemeDB or I/O exception. A failure to close a database or delete a directory after the test
 * is reported as that test's failure (added as suppressed if the test failed already).
 */
package io.stemedb.junit;
