package io.stemedb.storage;

import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.nio.file.Path;
import java.util.List;

/**
 * A process for {@link RocksFaultTest}. With {@code hold <dir>} it holds a database open: it opens
 * the directory, commits one claim, prints {@code OPEN <pid> <claim id>} and then waits until its
 * stdin closes (or it is killed). With {@code try <dir>} it tries to open the directory and prints
 * one line: {@code OPENED}, {@code LOCKED <message>} or {@code FAILED <exception> <message>}.
 */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("try")) {
            String result;
            try (RocksEngine engine = RocksEngine.open(Path.of(args[1]), RocksSettings.DEFAULT, 0x71L)) {
                result = "OPENED";
            } catch (StorageException.Locked e) {
                result = "LOCKED " + e.getMessage();
            } catch (RuntimeException e) {
                result = "FAILED " + e.getClass().getName() + " " + e.getMessage();
            }
            System.out.println(result.replace('\n', ' '));
            System.out.flush();
            return;
        }
        try (RocksEngine engine = RocksEngine.open(Path.of(args[1]), RocksSettings.DEFAULT, 0x70L)) {
            Claim claim = Claim.builder("holder", "pid", Value.integer(ProcessHandle.current().pid()))
                    .source("child").hlc(Hlc.of(1_700_000_000_000L, 0, 0x70L)).build();
            engine.commit(List.of(claim));
            System.out.println("OPEN " + ProcessHandle.current().pid() + " " + claim.id());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the database until stdin closes
            }
        }
    }
}
