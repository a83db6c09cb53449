/// The SQLite schema of a node's store (docs/STORE.md). Migrations are numbered by `user_version`.
enum Schema {
    static let version: Int64 = 14

    static let migrations: [String] = [
        """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        CREATE TABLE entries (
            rowid          INTEGER PRIMARY KEY,
            id             BLOB NOT NULL UNIQUE,
            author         BLOB NOT NULL,
            sequence       INTEGER NOT NULL,
            type           TEXT NOT NULL,
            hlc_wall       INTEGER NOT NULL,
            hlc_counter    INTEGER NOT NULL,
            payload_digest BLOB,
            bytes          BLOB NOT NULL,
            UNIQUE (author, sequence)
        );
        CREATE INDEX entries_by_payload ON entries (payload_digest) WHERE payload_digest IS NOT NULL;
        CREATE TRIGGER entries_immutable_update BEFORE UPDATE ON entries
            BEGIN SELECT RAISE(ABORT, 'entries are immutable'); END;
        CREATE TRIGGER entries_immutable_delete BEFORE DELETE ON entries
            BEGIN SELECT RAISE(ABORT, 'entries are immutable'); END;
        CREATE TABLE forks (
            id             BLOB PRIMARY KEY,
            author         BLOB NOT NULL,
            sequence       INTEGER NOT NULL,
            conflicts_with BLOB,
            payload_digest BLOB,
            bytes          BLOB NOT NULL
        );
        CREATE INDEX forks_by_author ON forks (author, sequence);
        CREATE TRIGGER forks_immutable_update BEFORE UPDATE ON forks
            BEGIN SELECT RAISE(ABORT, 'fork evidence is immutable'); END;
        CREATE TRIGGER forks_immutable_delete BEFORE DELETE ON forks
            BEGIN SELECT RAISE(ABORT, 'fork evidence is immutable'); END;
        CREATE TABLE payloads (
            digest BLOB PRIMARY KEY,
            bytes  BLOB NOT NULL
        );
        CREATE TRIGGER payloads_immutable_update BEFORE UPDATE ON payloads
            BEGIN SELECT RAISE(ABORT, 'payloads cannot be changed, only erased'); END;
        CREATE TABLE campaigns (
            campaign     TEXT PRIMARY KEY,
            version      BLOB NOT NULL,
            title        TEXT NOT NULL,
            state        TEXT NOT NULL,
            goal         INTEGER,
            deadline     INTEGER,
            published_at INTEGER NOT NULL,
            closed_at    INTEGER
        );
        CREATE TABLE signatures (
            id           BLOB PRIMARY KEY,
            campaign     TEXT NOT NULL,
            receipt_hash BLOB NOT NULL,
            signer       BLOB NOT NULL,
            state        TEXT NOT NULL
        );
        CREATE INDEX signatures_by_receipt ON signatures (receipt_hash);
        """,
        // 2: the read models of docs/READMODELS.md, rebuilt from the entries.
        ReadModelSchema.drop + ReadModelSchema.create + "INSERT INTO meta (key, value) VALUES ('rebuild', x'01') ON CONFLICT (key) DO UPDATE SET value = x'01';",
        // 3: nonces of signed requests, so a replay is refused after a restart too (docs/PROTOCOL.md).
        """
        CREATE TABLE request_nonces (
            key  BLOB PRIMARY KEY,
            time INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX request_nonces_by_time ON request_nonces (time);
        """,
        // 4: branch entries of forked logs, verified and linked like log entries (docs/FORMAT.md
        // section 8, "Forks"). Earlier fork evidence was stored unchecked: it moves to
        // `forks_unchecked`, and opening the store ingests it again through the checks
        // (``LedgerStore/recheckOldForks()``), dropping what fails them. Then the read models
        // (which now count branches) are rebuilt.
        """
        DROP TRIGGER forks_immutable_update;
        DROP TRIGGER forks_immutable_delete;
        DROP INDEX forks_by_author;
        ALTER TABLE forks RENAME TO forks_unchecked;
        CREATE TABLE forks (
            id             BLOB PRIMARY KEY,
            author         BLOB NOT NULL,
            sequence       INTEGER NOT NULL,
            previous       BLOB NOT NULL,
            hlc_wall       INTEGER NOT NULL,
            hlc_counter    INTEGER NOT NULL,
            type           TEXT NOT NULL,
            payload_digest BLOB,
            conflicts_with BLOB,
            bytes          BLOB NOT NULL
        );
        CREATE INDEX forks_by_author ON forks (author, sequence);
        CREATE INDEX forks_by_previous ON forks (previous);
        CREATE INDEX forks_by_payload ON forks (payload_digest) WHERE payload_digest IS NOT NULL;
        CREATE TRIGGER forks_immutable_update BEFORE UPDATE ON forks
            BEGIN SELECT RAISE(ABORT, 'branch entries are immutable'); END;
        CREATE TRIGGER forks_immutable_delete BEFORE DELETE ON forks
            BEGIN SELECT RAISE(ABORT, 'branch entries are immutable'); END;
        """ + ReadModelSchema.drop + ReadModelSchema.create + "INSERT INTO meta (key, value) VALUES ('rebuild', x'01') ON CONFLICT (key) DO UPDATE SET value = x'01';",
        // 5: erasure (`payload.erased`, withdrawals that ask for it), rebuilt from the entries.
        ReadModelSchema.drop + ReadModelSchema.create + "INSERT INTO meta (key, value) VALUES ('rebuild', x'01') ON CONFLICT (key) DO UPDATE SET value = x'01';",
        // 6: HQ's Merkle tree over every entry it holds, its signed checkpoints and the witnesses'
        // cosignatures (docs/FORMAT.md section 11, docs/STORE.md "The tree"). Leaf `idx` holds the
        // entry id and leaf hash; `tree_nodes` the root of every complete subtree of 2^level leaves
        // (level 1 and up), so any root or proof needs O(log n) lookups. Filled on HQ only
        // (``LedgerStore/enableTree()``), which also fills it for entries stored before.
        """
        CREATE TABLE tree_leaves (
            idx  INTEGER PRIMARY KEY,
            id   BLOB NOT NULL UNIQUE,
            hash BLOB NOT NULL
        );
        CREATE TABLE tree_nodes (
            level INTEGER NOT NULL,
            idx   INTEGER NOT NULL,
            hash  BLOB NOT NULL,
            PRIMARY KEY (level, idx)
        ) WITHOUT ROWID;
        CREATE TRIGGER tree_leaves_immutable_update BEFORE UPDATE ON tree_leaves
            BEGIN SELECT RAISE(ABORT, 'tree leaves are immutable'); END;
        CREATE TRIGGER tree_leaves_immutable_delete BEFORE DELETE ON tree_leaves
            BEGIN SELECT RAISE(ABORT, 'tree leaves are immutable'); END;
        CREATE TABLE checkpoints (
            epoch INTEGER NOT NULL,
            size  INTEGER NOT NULL,
            root  BLOB NOT NULL,
            note  TEXT NOT NULL,
            PRIMARY KEY (epoch, size)
        );
        CREATE TABLE cosignatures (
            epoch   INTEGER NOT NULL,
            size    INTEGER NOT NULL,
            witness BLOB NOT NULL,
            time    INTEGER NOT NULL,
            line    TEXT NOT NULL,
            PRIMARY KEY (epoch, size, witness)
        );
        """,
        // 7: issued paper lists (`paper.issued`, docs/PAPER.md) in a new read model, rebuilt from the entries.
        ReadModelSchema.drop + ReadModelSchema.create + "INSERT INTO meta (key, value) VALUES ('rebuild', x'01') ON CONFLICT (key) DO UPDATE SET value = x'01';",
        // 8: two random-key indexes fewer per entry (docs/STORE.md, "What an entry writes"). A tree
        // leaf names its log entry by the entry's `rowid` (an alias of INTEGER PRIMARY KEY, so
        // stable across VACUUM) instead of a second unique index on its id; a branch entry's leaf
        // keeps the id (branch entries are few). The payloads that entries name but that have not
        // arrived are listed in `payloads_wanted`, a small table, instead of being found through an
        // index of every entry's payload digest (`entries_by_payload`, dropped).
        """
        CREATE TABLE tree_leaves_8 (
            idx   INTEGER PRIMARY KEY,
            entry INTEGER,
            fork  BLOB,
            hash  BLOB NOT NULL,
            CHECK ((entry IS NULL) <> (fork IS NULL))
        );
        INSERT INTO tree_leaves_8 (idx, entry, fork, hash)
            SELECT t.idx, e.rowid, CASE WHEN e.rowid IS NULL THEN t.id END, t.hash
            FROM tree_leaves t LEFT JOIN entries e ON e.id = t.id ORDER BY t.idx;
        DROP TRIGGER tree_leaves_immutable_update;
        DROP TRIGGER tree_leaves_immutable_delete;
        DROP TABLE tree_leaves;
        ALTER TABLE tree_leaves_8 RENAME TO tree_leaves;
        CREATE INDEX tree_leaves_by_entry ON tree_leaves (entry) WHERE entry IS NOT NULL;
        CREATE INDEX tree_leaves_by_fork ON tree_leaves (fork) WHERE fork IS NOT NULL;
        CREATE TRIGGER tree_leaves_immutable_update BEFORE UPDATE ON tree_leaves
            BEGIN SELECT RAISE(ABORT, 'tree leaves are immutable'); END;
        CREATE TRIGGER tree_leaves_immutable_delete BEFORE DELETE ON tree_leaves
            BEGIN SELECT RAISE(ABORT, 'tree leaves are immutable'); END;
        CREATE TABLE payloads_wanted (
            digest BLOB PRIMARY KEY
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO payloads_wanted (digest)
            SELECT payload_digest FROM entries WHERE payload_digest IS NOT NULL
            UNION SELECT payload_digest FROM forks WHERE payload_digest IS NOT NULL
            EXCEPT SELECT digest FROM payloads
            EXCEPT SELECT payload FROM erasures WHERE authorised = 1;
        DROP INDEX entries_by_payload;
        """,
        // 9: counts kept up to date by triggers (`signature_counts`, docs/READMODELS.md "Counts"),
        // so `stats`, `campaign list` and the kiosk's count read a few rows however many
        // signatures there are; rebuilt from the entries.
        ReadModelSchema.drop + ReadModelSchema.create + "INSERT INTO meta (key, value) VALUES ('rebuild', x'01') ON CONFLICT (key) DO UPDATE SET value = x'01';",
        // 10: the count triggers leave out signatures in state `pending` (inserted, state not yet
        // computed in the same transaction), so an append fires the count statements once, for
        // the computed state, instead of three times (docs/READMODELS.md "Counts"). No state is
        // pending between transactions, so the counts are refilled and mean the same.
        ReadModelSchema.dropCountTriggers + ReadModelSchema.createCounts,
        // 11: the count triggers stand aside while the projector counts whole signer groups
        // itself, once per transaction (docs/READMODELS.md "Counts"); the counts mean the same.
        ReadModelSchema.dropCountTriggers + ReadModelSchema.countTriggers,
        // 12: signatures found by receipt, and by campaign and signer, through the first 8 bytes
        // of the receipt hash and of the signer reference: indexes less than half the size (docs/STORE.md
        // "What an entry writes"); the count triggers look signers up the same way.
        """
        DROP INDEX IF EXISTS signatures_by_receipt;
        CREATE INDEX signatures_by_receipt ON signatures (\(ReadModelSchema.key8("receipt_hash")));
        DROP INDEX IF EXISTS signatures_by_signer;
        CREATE INDEX signatures_by_signer ON signatures (campaign, \(ReadModelSchema.key8("signer")));
        """ + ReadModelSchema.dropCountTriggers + ReadModelSchema.countTriggers,
        // 13: signatures no longer keyed by their 32-byte id but indexed by its first 8 bytes
        // (`signatures_by_id`, less than half the size); rebuilt from the entries, same digest.
        ReadModelSchema.drop + ReadModelSchema.create + "INSERT INTO meta (key, value) VALUES ('rebuild', x'01') ON CONFLICT (key) DO UPDATE SET value = x'01';",
        // 14: signatures by state also in time order (`signatures_by_state (campaign, state,
        // hlc_wall)`), so that a close or a deadline change re-ranks only the signatures whose
        // lateness can change (docs/READMODELS.md "Campaigns"), not the whole campaign.
        "DROP INDEX IF EXISTS signatures_by_state;\n" + ReadModelSchema.createStateIndex,
        // 15: what HQ reads after every push it receives, through partial indexes of the few
        // rows it wants: the signatures still without a signer reference (it scanned every
        // signature) and the withdrawals that ask for erasure (it scanned every withdrawal).
        """
        CREATE INDEX IF NOT EXISTS signatures_without_signer ON signatures (hlc_wall) WHERE signer IS NULL AND erased = 0;
        CREATE INDEX IF NOT EXISTS withdrawals_erasing ON withdrawals (signature) WHERE erase = 1 AND valid = 1;
        """,
    ]
}
