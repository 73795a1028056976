package io.stemedb.junit;

import io.stemedb.StemeDB;
import io.stemedb.StemeDBBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects StemeDB fixtures into test methods and closes them after each test. Register it with
 * {@link StemeDBTest @StemeDBTest} (defaults), or with
 * {@code @RegisterExtension static final StemeDBExtension stemedb = StemeDBExtension.withClockAt(...)};
 * not both on one class, as two resolvers of the same parameter types conflict.
 *
 * <p>Parameters it resolves, in test methods and in {@code @BeforeEach} / {@code @AfterEach}
 * methods:
 * <ul>
 *   <li>{@code StemeDB}: a new database in memory;</li>
 *   <li>{@code @OnDisk StemeDB}: a new database on disk (RocksDB), in a new temporary directory;</li>
 *   <li>{@code @OnDisk Path}: the directory of the on-disk database of the same position;</li>
 *   <li>{@link ManualClock}: the test's clock, which every database the test gets reads.</li>
 * </ul>
 * Within one test, the n-th {@code StemeDB} parameter of each method is the same database, so a
 * {@code @BeforeEach} method can fill the database that the test then reads; a method with two
 * {@code StemeDB} parameters gets two databases (two replicas, with different random node ids).
 * Everything is created when first asked for, and after the test (after its {@code @AfterEach}
 * methods) every database is closed and every directory deleted, even when the test failed.
 * Nothing is shared between tests.
 */
public final class StemeDBExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(StemeDBExtension.class);

    /** Null: each test's clock starts at the time the test asks for it first. */
    private final Instant clockStart;

    /**
     * An extension whose clocks start, in each test, at the current time (to the millisecond),
     * so that timestamps look like real ones and replicas on system clocks can merge with the
     * test's databases. Tests that need stable timestamps set the clock before the first write.
     */
    public StemeDBExtension() {
        this.clockStart = null;
    }

    private StemeDBExtension(Instant clockStart) {
        this.clockStart = clockStart;
    }

    /** An extension whose clock starts at {@code start} in every test. */
    public static StemeDBExtension withClockAt(Instant start) {
        return new StemeDBExtension(Objects.requireNonNull(start, "start"));
    }

    /** An extension whose clock starts at {@code start} in every test, written as {@link Instant#parse} reads it. */
    public static StemeDBExtension withClockAt(String start) {
        return withClockAt(Instant.parse(start));
    }

    private enum Kind { IN_MEMORY, ON_DISK, DIRECTORY, CLOCK }

    private static Kind kindOf(Parameter p) {
        boolean onDisk = p.isAnnotationPresent(OnDisk.class);
        Class<?> type = p.getType();
        if (type == StemeDB.class) {
            return onDisk ? Kind.ON_DISK : Kind.IN_MEMORY;
        }
        if (type == Path.class && onDisk) {
            return Kind.DIRECTORY;
        }
        if (type == ManualClock.class) {
            return Kind.CLOCK;
        }
        return null;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return kindOf(parameterContext.getParameter()) != null;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Parameter parameter = parameterContext.getParameter();
        if (extensionContext.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("StemeDBExtension creates its fixtures per test: declare "
                    + parameter.getType().getSimpleName() + " " + parameter.getName()
                    + " on a test, @BeforeEach or @AfterEach method, not on " + parameterContext.getDeclaringExecutable());
        }
        Kind kind = kindOf(parameter);
        Fixtures fixtures = extensionContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(Fixtures.class, k -> new Fixtures(clockStart), Fixtures.class);
        int position = position(parameterContext.getDeclaringExecutable(), parameterContext.getIndex(), kind);
        try {
            switch (kind) {
                case IN_MEMORY:
                    return fixtures.inMemory(position);
                case ON_DISK:
                    return fixtures.onDisk(position).database(fixtures.clock());
                case DIRECTORY:
                    return fixtures.onDisk(position).directory;
                default:
                    return fixtures.clock();
            }
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("could not create " + parameter.getType().getSimpleName()
                    + " " + parameter.getName() + ": " + e.getMessage(), e);
        }
    }

    /** How many parameters before {@code index} ask for the same kind of fixture; DIRECTORY counts with ON_DISK. */
    private static int position(Executable executable, int index, Kind kind) {
        Parameter[] parameters = executable.getParameters();
        int n = 0;
        for (int i = 0; i < index; i++) {
            if (kindOf(parameters[i]) == kind) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        Fixtures fixtures = context.getStore(NAMESPACE).remove(Fixtures.class, Fixtures.class);
        if (fixtures != null) {
            fixtures.close();
        }
    }

    /** What one test was given. Parameters may be resolved from several threads of one test only in odd setups; synchronized. */
    private static final class Fixtures {
        private final Instant clockStart;
        private ManualClock clock;
        private final List<StemeDB> inMemory = new ArrayList<>();
        private final List<OnDiskSlot> onDisk = new ArrayList<>();

        Fixtures(Instant clockStart) {
            this.clockStart = clockStart;
        }

        synchronized ManualClock clock() {
            if (clock == null) {
                clock = new ManualClock(clockStart != null ? clockStart : Instant.ofEpochMilli(Clock.systemUTC().millis()));
            }
            return clock;
        }

        synchronized StemeDB inMemory(int position) {
            while (inMemory.size() <= position) {
                inMemory.add(builder().inMemory());
            }
            return inMemory.get(position);
        }

        synchronized OnDiskSlot onDisk(int position) {
            while (onDisk.size() <= position) {
                try {
                    onDisk.add(new OnDiskSlot(Files.createTempDirectory("stemedb-junit-")));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create a temporary directory", e);
                }
            }
            return onDisk.get(position);
        }

        StemeDBBuilder builder() {
            return StemeDB.builder().clock(clock());
        }

        /** Closes every database, then deletes every directory; the first failure is thrown, the others suppressed. */
        synchronized void close() throws IOException {
            List<Exception> failures = new ArrayList<>();
            for (StemeDB db : inMemory) {
                closeQuietly(db, failures);
            }
            for (OnDiskSlot slot : onDisk) {
                if (slot.database != null) {
                    closeQuietly(slot.database, failures);
                }
            }
            for (OnDiskSlot slot : onDisk) {
                try {
                    deleteRecursively(slot.directory);
                } catch (IOException | UncheckedIOException e) {
                    failures.add(e);
                }
            }
            if (!failures.isEmpty()) {
                Exception first = failures.get(0);
                failures.subList(1, failures.size()).forEach(first::addSuppressed);
                if (first instanceof IOException) {
                    throw (IOException) first;
                }
                throw (RuntimeException) first;
            }
        }

        private static void closeQuietly(StemeDB db, List<Exception> failures) {
            try {
                db.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }

        private static void deleteRecursively(Path directory) throws IOException {
            if (!Files.exists(directory)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** An on-disk database's directory, and the database once asked for. */
    private static final class OnDiskSlot {
        final Path directory;
        volatile StemeDB database;

        OnDiskSlot(Path directory) {
            this.directory = directory;
        }

        StemeDB database(ManualClock clock) {
            synchronized (this) {
                if (database == null) {
                    database = StemeDB.builder().clock(clock).open(directory);
                }
                return database;
            }
        }
    }
}
