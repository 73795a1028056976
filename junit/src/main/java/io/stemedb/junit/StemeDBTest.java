package io.stemedb.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Registers {@link StemeDBExtension} with its defaults on a test class (or a single test method),
 * so that its test methods may declare {@code StemeDB}, {@code @OnDisk StemeDB},
 * {@code @OnDisk Path} and {@link ManualClock} parameters.
 */
@Documented
@Inherited
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(StemeDBExtension.class)
public @interface StemeDBTest {}
