package io.stemedb.kafka;

import io.stemedb.model.StemeException;

/** Replication through Kafka cannot go on as configured; the message says what to change. */
public class KafkaReplicationException extends StemeException {
    private static final long serialVersionUID = 1L;

    public KafkaReplicationException(String message) {
        super(message);
    }

    public KafkaReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
