package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The three forms of an instant, and the bound on what an error quotes of bad input. */
class TextInputTest {

    @Test
    void anInstantIsReadInEachOfItsThreeForms() {
        Instant t = Instant.parse("2023-03-20T07:00:00Z");
        assertEquals(t, TextInput.instant("2023-03-20T07:00:00Z"));
        assertEquals(t, TextInput.instant(" 2023-03-20T09:00:00+02:00 "));
        assertEquals(Instant.parse("2023-03-20T00:00:00Z"), TextInput.instant("2023-03-20"));
    }

    @Test
    void aBadInstantIsRefusedQuotingABoundedExcerptAndTheForms() {
        String huge = "x".repeat(1_000_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextInput.instant(huge));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertTrue(e.getMessage().contains("(1000000 characters)"), e.getMessage());
        assertTrue(e.getMessage().endsWith(TextInput.INSTANT_FORMS), e.getMessage());
    }

    @Test
    void anExcerptKeepsShortTextWholeAndCutsLongText() {
        String exact = "y".repeat(TextInput.EXCERPT);
        assertEquals(exact, TextInput.excerpt(exact));
        assertEquals("y".repeat(TextInput.EXCERPT - 10) + "... (61 characters)", TextInput.excerpt(exact + "y"));
        assertEquals("abcdefghij" + "... (25 characters)", TextInput.excerpt("abcdefghijklmnopqrstuvwxy", 20));
    }
}
