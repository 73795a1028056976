package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An independent BLAKE3 implementation, the {@code b3sum} tool (Debian package b3sum, which
 * .ci/run installs), agrees with every id of the vector file when given the canonical bytes.
 * This keeps the ids honest beyond commons-codec: both must be wrong in the same way to pass.
 */
class VectorsAgreeWithB3sumTest {

    private static Path b3sum() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "b3sum");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Test
    void b3sumGivesEveryVectorItsId() throws Exception {
        Path b3sum = b3sum();
        assumeTrue(b3sum != null, "b3sum is not installed (apt-get install b3sum); .ci/run installs it");
        List<CanonicalVectors.Vector> vectors = CanonicalVectors.load();
        for (CanonicalVectors.Vector v : vectors) {
            assertEquals(v.id(), hash(b3sum, HexFormat.of().parseHex(v.canonicalHex())), v.toString());
        }
    }

    private static String hash(Path b3sum, byte[] bytes) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(b3sum.toString(), "--no-names").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(bytes);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("b3sum failed: " + out);
        }
        return out;
    }
}
