package io.stemedb.acceptance.crash;

import io.stemedb.StemeDB;
import io.stemedb.model.Erasure;
import java.nio.file.Path;

/**
 * The child JVM of {@link EraseCrashTest}: opens the database at args[0], prints {@code ERASING},
 * erases every claim about {@link EraseCrashTest#SUBJECT}, prints {@code ERASED} and waits to be
 * killed (the parent kills it at some moment of the erasure, or after it).
 */
public final class EraseCrashChild {
    private EraseCrashChild() {}

    public static void main(String[] args) throws Exception {
        try (StemeDB db = EraseCrashTest.open(Path.of(args[0]))) {
            System.out.println("ERASING");
            System.out.flush();
            db.erase(Erasure.Scope.subject(EraseCrashTest.SUBJECT)).source("dpo").reason("crash drill").commit();
            System.out.println("ERASED");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
