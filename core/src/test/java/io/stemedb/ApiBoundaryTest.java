package io.stemedb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The public API owns its types: no public method of {@link StemeDB}, {@link ReadView} or of any
 * type they take or return (recursively, within StemeDB's packages) names a type of the internal
 * {@code io.stemedb.storage} package; and no class of the core depends on the RocksDB engine, which
 * it reaches only through the {@code Engine} contract, its capabilities and {@code Engines}.
 */
class ApiBoundaryTest {
    private static final String STORAGE = "io.stemedb.storage";
    /** The type variables whose bounds are being collected, on this thread. */
    private static final ThreadLocal<Set<TypeVariable<?>>> VISITING = ThreadLocal.withInitial(HashSet::new);

    @Test
    void noPublicSignatureReachableFromTheApiNamesAStorageType() {
        List<String> leaks = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> toVisit = new ArrayDeque<>(List.of(StemeDB.class, ReadView.class));
        while (!toVisit.isEmpty()) {
            Class<?> type = toVisit.poll();
            if (!seen.add(type)) {
                continue;
            }
            for (Method m : type.getMethods()) {
                if (!Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                    continue;
                }
                Set<Class<?>> named = new HashSet<>();
                collect(m.getGenericReturnType(), named);
                for (Type p : m.getGenericParameterTypes()) {
                    collect(p, named);
                }
                for (Type e : m.getGenericExceptionTypes()) {
                    collect(e, named);
                }
                for (Class<?> c : named) {
                    if (c.getPackageName().equals(STORAGE)) {
                        leaks.add(type.getName() + "." + m.getName() + " names " + c.getName());
                    } else if (c.getPackageName().startsWith("io.stemedb") && Modifier.isPublic(c.getModifiers())) {
                        toVisit.add(c);
                    }
                }
            }
        }
        assertTrue(seen.size() > 20, "the walk reached the API's types, " + seen.size() + " of them");
        assertEquals(List.of(), leaks);
    }

    /** Every class {@code type} names, through type arguments, bounds and arrays. */
    private static void collect(Type type, Set<Class<?>> into) {
        if (type instanceof Class<?> c) {
            if (c.isArray()) {
                collect(c.getComponentType(), into);
            } else if (into.add(c) && c.getEnclosingClass() != null) {
                into.add(c.getEnclosingClass());
            }
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), into);
            for (Type a : p.getActualTypeArguments()) {
                collect(a, into);
            }
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collect(b, into);
            }
            for (Type b : w.getLowerBounds()) {
                collect(b, into);
            }
        } else if (type instanceof GenericArrayType g) {
            collect(g.getGenericComponentType(), into);
        } else if (type instanceof TypeVariable<?> v && VISITING.get().add(v)) {
            // each variable once: T extends ClaimDraft<T> would lead back to itself
            try {
                for (Type b : v.getBounds()) {
                    collect(b, into);
                }
            } finally {
                VISITING.get().remove(v);
            }
        }
    }

    @Test
    void noCoreClassDependsOnTheRocksDbEngine() {
        JavaClasses core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.stemedb");
        noClasses().that().resideInAPackage("io.stemedb")
                .should().dependOnClassesThat().haveNameMatching("io\\.stemedb\\.storage\\.RocksEngine(\\$.*)?")
                .because("the core reaches engines through Engine, its capabilities and Engines, never an implementation")
                .check(core);
    }
}
