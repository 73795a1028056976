package io.stemedb.cli.serve;

import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;

/**
 * The {@code lens=} parameter of the pilot server: a lens expression of the command line's
 * {@code --lens} ({@link Lenses#parse}), for example {@code latest}, {@code confident},
 * {@code majority}, {@code all}, {@code trust(hr,crm)} or
 * {@code trust(hr).orElse(latest).validAt(2023-03-20)}; absent or empty means {@code latest}.
 */
final class LensNames {
    private LensNames() {}

    /** The lens {@code expression} describes; null or empty means latest. */
    static Lens parse(String expression) {
        if (expression == null || expression.isBlank()) {
            return Lenses.latest();
        }
        try {
            return Lenses.parse(expression);
        } catch (Lenses.InvalidLensException e) {
            throw ApiException.badRequest("invalid_lens", "lens: " + e.getMessage()
                    + "; write a lens expression such as latest, confident, majority, all or trust(hr,crm).orElse(latest)");
        }
    }
}
