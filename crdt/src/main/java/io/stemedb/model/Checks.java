package io.stemedb.model;

import java.util.Map;
import java.util.TreeMap;

/** The validation rules shared by claims, retractions and values (DESIGN section 2). */
final class Checks {
    private Checks() {}

    /** Subjects, predicates, sources and refs: non-empty, well-formed, at most MAX_NAME_BYTES. */
    static String name(String field, String value) {
        if (value == null) {
            throw new Assertion.InvalidAssertionException(field, "is missing; every assertion needs a " + field);
        }
        if (value.isEmpty()) {
            throw new Assertion.InvalidAssertionException(field, "is empty; give a non-empty " + field);
        }
        int bytes = Utf8.encodedLength(value);
        if (bytes < 0) {
            throw new Assertion.InvalidAssertionException(field, "contains an unpaired surrogate; pass well-formed Unicode");
        }
        if (bytes > Assertion.MAX_NAME_BYTES) {
            throw new Assertion.InvalidAssertionException(field, "is " + bytes + " UTF-8 bytes, more than the limit of "
                    + Assertion.MAX_NAME_BYTES + "; use a shorter identifier and put long text in a value");
        }
        return value;
    }

    /** Copies metadata into canonical (code point) key order after checking every entry. */
    static Map<String, String> metadata(Map<String, String> metadata) {
        TreeMap<String, String> sorted = new TreeMap<>(Utf8.CODE_POINT_ORDER);
        if (metadata == null) {
            return java.util.Collections.unmodifiableSortedMap(sorted);
        }
        if (metadata.size() > Assertion.MAX_METADATA_ENTRIES) {
            throw new Assertion.InvalidAssertionException("metadata", "has " + metadata.size()
                    + " entries, more than the limit of " + Assertion.MAX_METADATA_ENTRIES
                    + "; metadata is for a little evidence, not for data");
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (key == null || key.isEmpty()) {
                throw new Assertion.InvalidAssertionException("metadata", "has an empty or missing key");
            }
            if (value == null) {
                throw new Assertion.InvalidAssertionException("metadata", "the value of key '" + key
                        + "' is missing; give a string, or leave the key out");
            }
            checkText("key '" + key + "'", key, Assertion.MAX_METADATA_KEY_BYTES);
            checkText("the value of key '" + key + "'", value, Assertion.MAX_METADATA_VALUE_BYTES);
            sorted.put(key, value);
        }
        return java.util.Collections.unmodifiableSortedMap(sorted);
    }

    /** Checks one metadata key or value; {@code what} names it inside the message, the field is "metadata". */
    private static void checkText(String what, String text, int maxBytes) {
        String shown = what.length() > 80 ? what.substring(0, 77) + "...'" : what;
        int bytes = Utf8.encodedLength(text);
        if (bytes < 0) {
            throw new Assertion.InvalidAssertionException("metadata", shown + " contains an unpaired surrogate; pass well-formed Unicode");
        }
        if (bytes > maxBytes) {
            throw new Assertion.InvalidAssertionException("metadata", shown + " is " + bytes
                    + " UTF-8 bytes, more than the limit of " + maxBytes);
        }
    }

    static double confidence(double confidence) {
        if (Double.isNaN(confidence) || confidence < 0.0 || confidence > 1.0) {
            throw new Assertion.InvalidAssertionException("confidence",
                    confidence + " is outside [0, 1]; give a probability between 0 and 1 or leave it out");
        }
        return confidence == 0.0 ? 0.0 : confidence;
    }

    static void valueSize(Value value) {
        int size = value.encodedSize();
        if (size > Assertion.MAX_VALUE_BYTES) {
            throw new Assertion.InvalidAssertionException("value", "is " + size + " bytes, more than the hard limit of "
                    + Assertion.MAX_VALUE_BYTES + "; store large content elsewhere and assert a reference to it");
        }
    }
}
