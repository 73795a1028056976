package io.stemedb.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link StemeDBExtension} for an on-disk database (RocksDB) in a new temporary directory
 * instead of one in memory: {@code @OnDisk StemeDB db}. On a {@link java.nio.file.Path} parameter
 * it injects that database's directory: the n-th {@code @OnDisk Path} of a method is the
 * directory of the n-th {@code @OnDisk StemeDB} of the same test. The database is closed and the
 * directory deleted after the test.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface OnDisk {}
