package io.stemedb;

import io.stemedb.crdt.Proofs;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Attestation;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.KeyEntry;
import io.stemedb.storage.Engine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A database's signatures: the check every attestation and key registry entry passes on every
 * arrival path (a bad one is refused, counted and reported, never stored), and the proofs that
 * lenses read. The signature of an attestation is verified once, when it arrives; what is kept
 * in memory is its verdict (the attestation's key, by signed claim) and the key registry, so that
 * a read asks a hash map, never Ed25519, and a registry change applies to the next read.
 *
 * <p>A database that never held a signature answers {@link #active()} false, and its reads
 * attach nothing to their evidence. Thread-safe: the attestations are a concurrent map, the
 * registry an immutable snapshot replaced under this object's lock.
 */
final class Signatures implements Proofs {
    /** The checkpoint under which a database keeps the root key it was initialised with. */
    static final String ROOT_CHECKPOINT = "stemedb/root-key";
    private static final HexFormat HEX = HexFormat.of();

    /** The root key that signs registry entries, or null: then every registry entry is refused. */
    private final byte[] root;
    /** The engine, to find a claim whose attestation arrives after it. */
    private final Engine engine;
    /** Signed claim to the keys (hex) of its verified attestations. */
    private final Map<AssertionId, String[]> attestations = new ConcurrentHashMap<>();
    /**
     * The stored claims that have an attestation, by their timestamp, each with its keys: how a
     * read finds a claim's signers without hashing it (a claim read from disk has no id until
     * hashed; its timestamp is at hand, and equal claims have equal bytes).
     */
    private final Map<Hlc, Signed[]> byStamp = new ConcurrentHashMap<>();
    /**
     * One string per key, shared by every claim it signed and by the registry: the attestations'
     * memory is a few words per claim, and a read compares keys by reference first.
     */
    private final Map<String, String> keyNames = new ConcurrentHashMap<>();
    /** Source to key (hex) to its window; replaced whole when an entry arrives. */
    private volatile Map<String, Map<String, Window>> registry = Map.of();
    private volatile boolean active;
    /** Changes after every attestation or registry entry stored: see {@link Proofs#version()}. */
    private volatile long version;
    /** Counts the attestations and registry entries refused on arrival. */
    private final Meters meters;

    /** A stored claim and the keys of its verified attestations. */
    record Signed(Claim claim, String[] keys) {}

    /** When a key proves its source's claims: from the earliest binding, until the earliest revocation. */
    record Window(long from, long revokedAt) {
        boolean covers(long millis) {
            return from <= millis && millis < revokedAt;
        }

        Window with(KeyEntry e) {
            return e.action() == KeyEntry.Action.BIND ? new Window(Math.min(from, e.atMillis()), revokedAt)
                    : new Window(from, Math.min(revokedAt, e.atMillis()));
        }
    }

    Signatures(Engine engine, byte[] root, Meters meters) {
        this.engine = engine;
        this.root = root == null ? null : root.clone();
        this.meters = meters;
    }

    /** The root key in hex, or null if the database has none. */
    String rootHex() {
        return root == null ? null : HEX.formatHex(root);
    }

    /** Whether the database holds any attestation or registry entry: if not, reads attach no proofs. */
    boolean active() {
        return active;
    }

    /** Takes in the attestations and registry entries already stored, as a database opens. */
    void load() {
        engine.bySource(KeyEntry.SOURCE).forEach(this::stored);
        engine.bySource(Attestation.SOURCE).forEach(this::stored);
    }

    /**
     * Fails, counting the refusal, if {@code a} is in the signatures' namespace and is not a
     * well-formed attestation with a valid signature or a well-formed registry entry signed by
     * this database's root key. Any other assertion passes at the cost of two string comparisons.
     *
     * @throws Assertion.InvalidAssertionException (field {@code signature}) saying why
     */
    void check(Assertion a) {
        if (inNamespace(a)) {
            Claim c = (Claim) a;
            String problem = problem(c);
            if (problem != null) {
                meters.signaturesRefused.increment();
                throw new Assertion.InvalidAssertionException("signature", problem);
            }
        }
    }

    /** Whether {@code a} is a claim of a {@code stemedb:} source: an attestation, a registry entry, or refused. */
    static boolean inNamespace(Assertion a) {
        return a instanceof Claim c && c.source().startsWith(Assertion.RESERVED_SOURCE_PREFIX);
    }

    /** Why {@code c}, a claim of a {@code stemedb:} source, may not be stored; null if it may. */
    private String problem(Claim c) {
        try {
            if (Attestation.isAttestation(c)) {
                Attestation at = Attestation.parse(c);
                return at.verifies() ? null : "attestation " + c.id().shortHex() + " of claim " + at.claim().shortHex()
                        + " does not verify: it is not key " + at.keyHex() + "'s signature of that claim";
            }
            if (KeyEntry.isEntry(c)) {
                KeyEntry e = KeyEntry.parse(c);
                if (root == null) {
                    return "key registry entry " + c.id().shortHex() + " arrived, but this database has no root key; open it "
                            + "with the root key its registry uses (StemeDBBuilder.rootKey, stemedb init --root-key)";
                }
                return e.signedBy(root) ? null : "key registry entry " + c.id().shortHex() + " for " + e.source()
                        + " is not signed by this database's root key " + rootHex();
            }
            return "source " + c.source() + " is reserved: sources beginning with 'stemedb:' carry signatures ("
                    + Attestation.SOURCE + ") and key registry entries (" + KeyEntry.SOURCE + "); choose another source name";
        } catch (Assertion.InvalidAssertionException e) {
            return e.getMessage();
        }
    }

    /** Records what a commit stored: the verdict of each attestation, each registry entry. */
    void stored(Assertion a) {
        if (Attestation.isAttestation(a)) {
            Attestation at = Attestation.parse((Claim) a);
            String key = keyNames.computeIfAbsent(at.keyHex(), k -> k);
            String[] keys = attestations.merge(at.claim(), new String[] {key},
                    (old, one) -> Arrays.asList(old).contains(key) ? old : append(old, key));
            // after the put: a claim committed meanwhile either sees it (isAttested) or is found here
            engine.get(at.claim()).filter(Claim.class::isInstance).ifPresent(c -> index((Claim) c, keys));
            changed();
        } else if (KeyEntry.isEntry(a)) {
            KeyEntry e = KeyEntry.parse((Claim) a);
            synchronized (this) {
                Map<String, Map<String, Window>> next = new HashMap<>(registry);
                Map<String, Window> keys = new HashMap<>(next.getOrDefault(e.source(), Map.of()));
                String key = keyNames.computeIfAbsent(e.keyHex(), k -> k);
                keys.put(key, keys.getOrDefault(key, new Window(Long.MAX_VALUE, Long.MAX_VALUE)).with(e));
                next.put(e.source(), Map.copyOf(keys));
                registry = Map.copyOf(next);
            }
            changed();
        } else if (isAttested(a)) {
            index((Claim) a, attestations.get(a.id()));
            changed();
        }
    }

    /** Whether {@code a} is a claim that a stored attestation signs (a hash lookup, once a database holds signatures). */
    boolean isAttested(Assertion a) {
        return active && a instanceof Claim && attestations.containsKey(a.id());
    }

    /** Files {@code c}, a stored claim, under its timestamp with {@code keys}, replacing what was filed for it. */
    private void index(Claim c, String[] keys) {
        Signed one = new Signed(c, keys);
        byStamp.merge(c.hlc(), new Signed[] {one}, (old, x) -> {
            for (int i = 0; i < old.length; i++) {
                if (old[i].claim().equals(c)) {
                    Signed[] next = old.clone();
                    next[i] = one;
                    return next;
                }
            }
            Signed[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = one;
            return next;
        });
    }

    /** After a change of what {@link #signer} answers: readers see it and drop what they derived before. */
    private synchronized void changed() {
        version++;
        active = true;
    }

    @Override
    public long version() {
        return version;
    }

    private static String[] append(String[] keys, String key) {
        String[] more = Arrays.copyOf(keys, keys.length + 1);
        more[keys.length] = key;
        return more;
    }

    @Override
    public String signer(Claim claim) {
        Signed[] filed = byStamp.get(claim.hlc());
        if (filed == null) {
            return null;
        }
        String[] keys = null;
        for (Signed s : filed) {
            if (s.claim().equals(claim)) {
                keys = s.keys();
            }
        }
        if (keys == null) {
            return null;
        }
        Map<String, Window> bound = registry.get(claim.source());
        if (bound == null) {
            return null;
        }
        long millis = claim.hlc().physicalMillis();
        for (String key : keys) {
            Window w = bound.get(key);
            if (w != null && w.covers(millis)) {
                return key;
            }
        }
        return null;
    }

    /**
     * Checks every stored attestation and registry entry again (their signatures, from the
     * stored bytes) and counts the claims they prove against the registry: what {@code verify} reports.
     */
    SignatureReport verify() {
        long attestationCount = 0;
        long entries = 0;
        List<String> problems = new ArrayList<>();
        for (Assertion a : engine.bySource(KeyEntry.SOURCE)) {
            entries++;
            recheck(a, problems);
        }
        long proven = 0;
        long unproven = 0;
        List<Assertion> stored = engine.bySource(Attestation.SOURCE);
        for (Assertion a : stored) {
            attestationCount++;
            if (recheck(a, problems)) {
                Attestation at = Attestation.parse((Claim) a);
                Optional<Assertion> signed = engine.get(at.claim());
                if (signed.isPresent() && signed.get() instanceof Claim c && at.keyHex().equals(signerWith(c, at.keyHex()))) {
                    proven++;
                } else {
                    unproven++;
                }
            }
        }
        return new SignatureReport(entries, attestationCount, proven, unproven, problems);
    }

    /** {@code key} if the registry binds it to {@code c}'s source at {@code c}'s time, else null. */
    private String signerWith(Claim c, String key) {
        Map<String, Window> bound = registry.get(c.source());
        Window w = bound == null ? null : bound.get(key);
        return w != null && w.covers(c.hlc().physicalMillis()) ? key : null;
    }

    private boolean recheck(Assertion a, List<String> problems) {
        String problem = problem((Claim) a);
        if (problem != null) {
            problems.add(a.id() + ": " + problem);
        }
        return problem == null;
    }
}
