package io.stemedb.merkle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authentication between the replicas of a cluster with a shared secret: every request and every
 * reply carries a timestamp and an HMAC-SHA256 over its direction, its timestamp and its body, in
 * the headers {@value #TIME_HEADER} and {@value #SIGNATURE_HEADER}. A request whose signature is
 * wrong or whose timestamp is more than {@link #MAX_SKEW} from the receiver's clock is refused
 * before it is read; a reply that is not signed by the cluster is refused by the client. Replays
 * within the window are harmless: every request is idempotent. Immutable and thread-safe.
 */
public final class ClusterAuth {
    public static final String TIME_HEADER = "X-StemeDB-Time";
    public static final String SIGNATURE_HEADER = "X-StemeDB-Signature";
    /** How far a peer's clock may be from ours. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(5);
    /** The shortest secret accepted: 16 bytes. */
    public static final int MIN_SECRET_BYTES = 16;

    private final byte[] secret;
    private final Clock clock;

    private ClusterAuth(byte[] secret, Clock clock) {
        this.secret = secret;
        this.clock = clock;
    }

    /**
     * Authentication with {@code secret}, the cluster's shared secret (at least 16 bytes; use a
     * random one, for example 32 bytes from {@code openssl rand -hex 32}).
     */
    public static ClusterAuth withSecret(byte[] secret, Clock clock) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the cluster secret must be at least " + MIN_SECRET_BYTES
                    + " bytes, got " + secret.length + "; generate one with: openssl rand -hex 32");
        }
        return new ClusterAuth(secret.clone(), Objects.requireNonNull(clock, "clock"));
    }

    /** The current time to send in {@value #TIME_HEADER}. */
    String now() {
        return Long.toString(clock.millis());
    }

    /** The signature of a request ({@code reply} false) or reply ({@code reply} true). */
    String sign(boolean reply, String time, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((reply ? "stemedb-sync-reply\n" : "stemedb-sync-request\n").getBytes(StandardCharsets.US_ASCII));
            mac.update((time + "\n").getBytes(StandardCharsets.US_ASCII));
            mac.update(body);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * Checks a signed message.
     *
     * @throws SyncException.Unauthorized if the signature or timestamp is missing, stale or wrong
     */
    void verify(boolean reply, String time, String signature, byte[] body) {
        if (time == null || signature == null) {
            throw new SyncException.Unauthorized("the " + (reply ? "reply" : "request") + " is not signed; "
                    + "both replicas need the cluster secret");
        }
        long t;
        try {
            t = Long.parseLong(time);
        } catch (NumberFormatException e) {
            throw new SyncException.Unauthorized("the " + TIME_HEADER + " header is not a number");
        }
        if (Math.abs(clock.millis() - t) > MAX_SKEW.toMillis()) {
            throw new SyncException.Unauthorized("the " + (reply ? "reply" : "request") + " is timestamped "
                    + Math.abs(clock.millis() - t) / 1000 + " s away from this replica's clock, more than "
                    + MAX_SKEW.toSeconds() + " s; synchronize the clocks (NTP)");
        }
        byte[] expected = sign(reply, time, body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new SyncException.Unauthorized("the " + (reply ? "reply" : "request")
                    + " signature is wrong: the peer does not share this cluster's secret");
        }
    }
}
