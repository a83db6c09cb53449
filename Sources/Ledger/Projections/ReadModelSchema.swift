/// The read-model tables (docs/READMODELS.md): base facts, one row per entry, and derived state
/// that ``Projector`` recomputes. Everything here can be dropped and rebuilt from the entries.
enum ReadModelSchema {
    /// Tables in digest order, each with its key columns (the digest's row order).
    static let tables: [(name: String, key: String)] = [
        ("devices", "device"),
        ("campaign_versions", "id"),
        ("campaign_closes", "id"),
        ("campaigns", "campaign"),
        ("signatures", ReadModelSchema.key8("id") + ", id"),
        ("withdrawals", "id"),
        ("comments", "id"),
        ("comment_hides", "id"),
        ("fork_adoptions", "id, head"),
        ("forked_logs", "author"),
        ("erasures", "id"),
        ("signer_references", "id, signature"),
        ("paper_lists", "id"),
    ]

    static let drop = """
        DROP VIEW IF EXISTS findings;
        DROP VIEW IF EXISTS counts_by_campaign;
        DROP VIEW IF EXISTS counts_by_day;
        DROP VIEW IF EXISTS counts_by_channel;
        DROP VIEW IF EXISTS counts_by_device;
        DROP VIEW IF EXISTS counts_by_country;
        DROP TABLE IF EXISTS devices;
        DROP TABLE IF EXISTS campaign_versions;
        DROP TABLE IF EXISTS campaign_closes;
        DROP TABLE IF EXISTS campaigns;
        DROP TABLE IF EXISTS signatures;
        DROP TABLE IF EXISTS withdrawals;
        DROP TABLE IF EXISTS comments;
        DROP TABLE IF EXISTS comment_hides;
        DROP TABLE IF EXISTS fork_adoptions;
        DROP TABLE IF EXISTS forked_logs;
        DROP TABLE IF EXISTS held_entries;
        DROP TABLE IF EXISTS erasures;
        DROP TABLE IF EXISTS signer_references;
        DROP TABLE IF EXISTS paper_lists;
        DROP TABLE IF EXISTS signature_counts;
        """

    /// The tables and views, then the indexes (a rebuild creates the indexes after filling the
    /// tables: sorted index builds instead of random inserts), then the maintained counts.
    static var create: String { createTables + createIdIndex + createIndexes + createStateIndex + createCounts }

    /// The signature states that "unique signers" leaves out (docs/READMODELS.md, "Counts").
    /// `pending` is the state a signature is inserted with until the projector computes its
    /// state in the same transaction: counts leave it out, so inserting a signature fires no
    /// count statements and only its computed state does (schema 10).
    static let notUnique = "('unauthorised', 'forked', 'pending')"

    /// Fills `signature_counts` from `signatures` in one pass, then creates the triggers that keep
    /// it equal to what the `GROUP BY` queries would give as rows change (schema 9;
    /// docs/READMODELS.md, "Counts"). A rebuild runs it after the states are computed, so the
    /// million state updates of a rebuild do not each fire the triggers.
    static let createCounts = """
        DELETE FROM signature_counts;
        INSERT INTO signature_counts (campaign, dimension, value, n)
            SELECT campaign, 'state', state, COUNT(*) FROM signatures WHERE state <> 'pending' GROUP BY campaign, state;
        INSERT INTO signature_counts (campaign, dimension, value, n)
            SELECT campaign, 'day', day, COUNT(*) FROM signatures WHERE state = 'counted' GROUP BY campaign, day;
        INSERT INTO signature_counts (campaign, dimension, value, n)
            SELECT campaign, 'channel', channel, COUNT(*) FROM signatures WHERE state = 'counted' GROUP BY campaign, channel;
        INSERT INTO signature_counts (campaign, dimension, value, n)
            SELECT campaign, 'device', author, COUNT(*) FROM signatures WHERE state = 'counted' GROUP BY campaign, author;
        INSERT INTO signature_counts (campaign, dimension, value, n)
            SELECT campaign, 'country', COALESCE(country, ''), COUNT(*) FROM signatures WHERE state = 'counted' GROUP BY campaign, COALESCE(country, '');
        \(countUnique)
        \(countTriggers)
        """

    /// The "unique" dimension of `signature_counts`: distinct signers by an ordered scan of the
    /// `(campaign, signer)` index.
    static let countUnique = """
        INSERT INTO signature_counts (campaign, dimension, value, n)
            SELECT campaign, 'unique', '', COUNT(*) FROM (SELECT DISTINCT campaign, signer FROM signatures WHERE signer IS NOT NULL AND state NOT IN \(notUnique)) GROUP BY campaign;
        """

    /// The triggers that keep `signature_counts` (schema 10). A row in state `pending` counts
    /// nowhere, so each trigger runs only when the row it adds or takes away is not pending:
    /// inserting a signature (pending) runs no statement, and giving it its state runs the
    /// additions alone. An update takes the old row away and adds the new one in two triggers;
    /// each statement looks only at the *other* rows of the signer, so their order does not matter.
    ///
    /// Schema 11: no trigger runs while `meta` holds the key ``countsDeferredKey``. The projector
    /// sets it, inside its own transaction, around the state updates of whole (campaign, signer)
    /// groups, and adds each group's part of the counts itself, once per transaction and key
    /// instead of once per row (``Projector/refreshGroup``); every other write is counted here.
    static let countTriggers = """
        CREATE TRIGGER signature_counts_insert AFTER INSERT ON signatures WHEN NEW.state <> 'pending' AND \(countsOn) BEGIN
            \(countRow(sign: "+", row: "NEW"))
        END;
        CREATE TRIGGER signature_counts_delete AFTER DELETE ON signatures WHEN OLD.state <> 'pending' AND \(countsOn) BEGIN
            \(countRow(sign: "-", row: "OLD"))
        END;
        CREATE TRIGGER signature_counts_update_old AFTER UPDATE OF campaign, state, day, channel, author, country, signer ON signatures
            WHEN OLD.state <> 'pending' AND (\(countedColumnsChange)) AND \(countsOn) BEGIN
            \(countRow(sign: "-", row: "OLD"))
        END;
        CREATE TRIGGER signature_counts_update_new AFTER UPDATE OF campaign, state, day, channel, author, country, signer ON signatures
            WHEN NEW.state <> 'pending' AND (\(countedColumnsChange)) AND \(countsOn) BEGIN
            \(countRow(sign: "+", row: "NEW"))
        END;
        CREATE TRIGGER signature_counts_signer AFTER UPDATE OF signer ON signatures
            WHEN OLD.signer IS NOT NEW.signer AND NEW.state NOT IN \(notUnique) AND NOT (\(countedColumnsChange)) AND \(countsOn) BEGIN
            \(countRow(sign: "-", row: "OLD", only: ["unique"]))
            \(countRow(sign: "+", row: "NEW", only: ["unique"]))
        END;
        """

    /// The `meta` key that holds the count triggers back while the projector counts a batch of
    /// groups itself (schema 11). It exists only inside a write transaction, never after one.
    static let countsDeferredKey = "counts.deferred"

    /// True in a count trigger unless the projector is counting (``countsDeferredKey``).
    static let countsOn = "NOT EXISTS (SELECT 1 FROM meta WHERE key = '\(countsDeferredKey)')"

    /// Schema 9's triggers, which counted `pending` rows too (dropped by the migration to 10).
    static let dropCountTriggers = """
        DROP TRIGGER IF EXISTS signature_counts_insert;
        DROP TRIGGER IF EXISTS signature_counts_delete;
        DROP TRIGGER IF EXISTS signature_counts_update;
        DROP TRIGGER IF EXISTS signature_counts_update_old;
        DROP TRIGGER IF EXISTS signature_counts_update_new;
        DROP TRIGGER IF EXISTS signature_counts_signer;
        """

    /// True in an update trigger when a column that a count groups by changed (the signer alone
    /// changes only "unique": a signature's signer reference is set once HQ's reference arrives).
    static let countedColumnsChange = ["campaign", "state", "day", "channel", "author", "country"]
        .map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")

    /// The statements that add (`+`) or take away (`-`) one row's part of the counts. In an AFTER
    /// trigger the table already holds the change, so "the signer's other signatures" are those
    /// with another rowid: the row counts towards "unique" only when no other counts already.
    static func countRow(sign: String, row: String, only: Set<String>? = nil) -> String {
        let counted = "\(row).state = 'counted'"
        let dimensions = [("day", "\(row).day"), ("channel", "\(row).channel"), ("device", "\(row).author"), ("country", "COALESCE(\(row).country, '')")]
        func add(_ dimension: String, _ value: String, when condition: String) -> String {
            if sign == "+" {
                return """
                    INSERT INTO signature_counts (campaign, dimension, value, n) SELECT \(row).campaign, '\(dimension)', \(value), 1 WHERE \(condition)
                        ON CONFLICT (campaign, dimension, value) DO UPDATE SET n = n + 1;
                    """
            }
            return "UPDATE signature_counts SET n = n - 1 WHERE campaign = \(row).campaign AND dimension = '\(dimension)' AND value = \(value) AND \(condition);"
        }
        let unique = """
            \(row).signer IS NOT NULL AND \(row).state NOT IN \(notUnique) AND NOT EXISTS (SELECT 1 FROM signatures other
                WHERE \(signerLookup("other", campaign: "\(row).campaign", signer: "\(row).signer")) AND other.rowid <> \(row).rowid AND other.state NOT IN \(notUnique))
            """
        if sign == "+" && only == nil {
            // Every dimension in one statement: one cursor and one statement start instead of
            // six (about a quarter of the triggers' cost per signature).
            let rows = ["SELECT 'state' AS dimension, \(row).state AS value"]
                + dimensions.map { "SELECT '\($0.0)', \($0.1) WHERE \(counted)" }
                + ["SELECT 'unique', '' WHERE \(unique)"]
            return """
                INSERT INTO signature_counts (campaign, dimension, value, n)
                    SELECT \(row).campaign, dimension, value, 1 FROM (\(rows.joined(separator: " UNION ALL "))) WHERE 1
                    ON CONFLICT (campaign, dimension, value) DO UPDATE SET n = n + 1;
                """
        }
        let all = [("state", add("state", "\(row).state", when: "1"))] + dimensions.map { ($0.0, add($0.0, $0.1, when: counted)) }
            + [("unique", add("unique", "''", when: unique))]
        return all.filter { only?.contains($0.0) ?? true }.map(\.1).joined(separator: "\n")
    }

    static let createIndexes = """
        CREATE INDEX campaign_versions_by_campaign ON campaign_versions (campaign);
        CREATE INDEX campaign_closes_by_campaign ON campaign_closes (campaign);
        CREATE INDEX signatures_by_signer ON signatures (campaign, \(key8("signer")));
        CREATE INDEX signatures_by_receipt ON signatures (\(key8("receipt_hash")));
        CREATE INDEX signatures_by_paper ON signatures (campaign, paper_list, paper_row) WHERE paper_list IS NOT NULL;
        CREATE INDEX withdrawals_by_signature ON withdrawals (signature);
        CREATE INDEX comments_by_campaign ON comments (campaign, hlc_wall);
        CREATE INDEX comments_by_signature ON comments (signature) WHERE signature IS NOT NULL;
        CREATE INDEX comment_hides_by_comment ON comment_hides (comment);
        CREATE INDEX fork_adoptions_by_device ON fork_adoptions (device);
        CREATE INDEX erasures_by_signature ON erasures (signature);
        CREATE INDEX erasures_by_payload ON erasures (payload);
        CREATE INDEX signer_references_by_signature ON signer_references (signature);
        CREATE INDEX paper_lists_by_number ON paper_lists (campaign, list);
        CREATE INDEX signatures_without_signer ON signatures (hlc_wall) WHERE signer IS NULL AND erased = 0;
        CREATE INDEX withdrawals_erasing ON withdrawals (signature) WHERE erase = 1 AND valid = 1;
        """

    /// The key of the three indexes on random 32-byte values (schemas 12 and 13):
    /// `signatures_by_id`, `signatures_by_receipt` and the signer part of `signatures_by_signer`
    /// hold only the value's first 8 bytes. Each new signature lands on a random page of each such
    /// index; a key a quarter the length makes an index less than half the size, and so half the
    /// pages a batch of signatures dirties (docs/STORE.md "What an entry writes"). SQLite uses an
    /// index on an expression only when a query names the same expression, so every lookup goes
    /// through ``keyedMatch(_:_:)``, which then compares the whole value. Ordered by this key and
    /// then the value, rows come in the order of the value (the key is its beginning).
    static func key8(_ expression: String) -> String { "substr(\(expression), 1, 8)" }

    /// `column` equals `value`, found through an index on ``key8(_:)`` of `column`.
    static func keyedMatch(_ column: String, _ value: String) -> String {
        "\(key8(column)) = \(key8(value)) AND \(column) = \(value)"
    }

    /// The signatures whose receipt hash is `?1`, through `signatures_by_receipt`.
    static let receiptLookup = keyedMatch("receipt_hash", "?1")

    /// The signature whose id is `id`, through `signatures_by_id`. The id is no longer the
    /// table's primary key (schema 13); ``Projector`` keeps it unique.
    static func signatureLookup(_ alias: String, id: String) -> String {
        keyedMatch("\(alias).id", id)
    }

    /// The signatures of one campaign and signer through `signatures_by_signer`: `alias` names
    /// the table, `campaign` and `signer` the values.
    static func signerLookup(_ alias: String, campaign: String, signer: String) -> String {
        "\(alias).campaign = \(campaign) AND " + keyedMatch("\(alias).signer", signer)
    }

    /// The index of signatures by id (``signatureLookup(_:id:)``). A rebuild creates it after the
    /// log's entries are applied, as it does the other indexes: it inserts their signatures
    /// without looking for one already there (`Projector.bulkInsert`; the log's ids are unique),
    /// and building the index in one sorted pass cost a quarter of a rebuild less than a
    /// lookup and a random-key insert per signature.
    static let createIdIndex = """
        CREATE INDEX signatures_by_id ON signatures (\(key8("id")));
        """

    /// After a rebuild's bulk insert: the rows of a signature inserted twice but the first. Only a
    /// store whose `entries` were altered can hold the same entry's bytes twice (under another
    /// `id` column, which `ledgerctl verify` reports); its read models are still those of its set
    /// of entries. Finding none is one pass over `signatures_by_id` (8-byte keys of random ids
    /// share a key about once in four billion signatures).
    static let deleteRepeatedSignatures = """
        DELETE FROM signatures WHERE rowid IN (
            SELECT s.rowid FROM signatures s
            WHERE \(key8("s.id")) IN (SELECT \(key8("id")) FROM signatures GROUP BY \(key8("id")) HAVING COUNT(*) > 1)
              AND EXISTS (SELECT 1 FROM signatures o WHERE \(keyedMatch("o.id", "s.id")) AND o.rowid < s.rowid));
        """

    /// The index of signatures by state, which a rebuild creates only after giving every
    /// signature its state: a hundred thousand state updates each moved an entry of this index
    /// (from `pending` to the state), a tenth of a rebuild. In time order within a state (schema
    /// 14): a close or a deadline change finds the signatures whose lateness can change by a
    /// range of `hlc_wall`.
    static let createStateIndex = """
        CREATE INDEX signatures_by_state ON signatures (campaign, state, hlc_wall);
        """

    static let createTables = """
        CREATE TABLE devices (
            device        BLOB PRIMARY KEY,
            name          TEXT NOT NULL,
            role          TEXT NOT NULL,
            enrolled_by   BLOB NOT NULL,
            enrolled_wall    INTEGER NOT NULL,
            enrolled_counter INTEGER NOT NULL,
            enrolled_sequence INTEGER NOT NULL,
            revoked_after INTEGER,
            revoked_by    BLOB
        );
        CREATE TABLE campaign_versions (
            id          BLOB PRIMARY KEY,
            campaign    TEXT NOT NULL,
            kind        TEXT NOT NULL,
            author      BLOB NOT NULL,
            sequence    INTEGER NOT NULL,
            hlc_wall    INTEGER NOT NULL,
            hlc_counter INTEGER NOT NULL,
            authorised  INTEGER NOT NULL,
            title       TEXT NOT NULL,
            goal        INTEGER,
            deadline    INTEGER,
            body        BLOB NOT NULL,
            retention_days INTEGER
        );
        CREATE TABLE campaign_closes (
            id          BLOB PRIMARY KEY,
            campaign    TEXT NOT NULL,
            author      BLOB NOT NULL,
            sequence    INTEGER NOT NULL,
            hlc_wall    INTEGER NOT NULL,
            hlc_counter INTEGER NOT NULL,
            authorised  INTEGER NOT NULL,
            reason      TEXT
        );
        CREATE TABLE campaigns (
            campaign       TEXT PRIMARY KEY,
            version        BLOB NOT NULL,
            versions       INTEGER NOT NULL,
            title          TEXT NOT NULL,
            state          TEXT NOT NULL,
            goal           INTEGER,
            deadline       INTEGER,
            published_at   INTEGER NOT NULL,
            updated_at     INTEGER NOT NULL,
            closed_at      INTEGER,
            closed_counter INTEGER,
            retention_days INTEGER
        );
        CREATE TABLE signatures (
            id            BLOB NOT NULL,
            campaign      TEXT NOT NULL,
            version       BLOB NOT NULL,
            author        BLOB NOT NULL,
            sequence      INTEGER NOT NULL,
            hlc_wall      INTEGER NOT NULL,
            hlc_counter   INTEGER NOT NULL,
            day           TEXT NOT NULL,
            channel       TEXT NOT NULL,
            paper_list    INTEGER,
            paper_row     INTEGER,
            country       TEXT,
            postcode_area TEXT,
            consent       INTEGER NOT NULL,
            body_signer   BLOB,
            signer        BLOB,
            receipt_hash  BLOB NOT NULL,
            payload       BLOB NOT NULL,
            authorised    INTEGER NOT NULL,
            state         TEXT NOT NULL,
            erased        INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE withdrawals (
            id          BLOB PRIMARY KEY,
            signature   BLOB NOT NULL,
            author      BLOB NOT NULL,
            sequence    INTEGER NOT NULL,
            hlc_wall    INTEGER NOT NULL,
            hlc_counter INTEGER NOT NULL,
            receipt     TEXT,
            authorised  INTEGER NOT NULL,
            valid       INTEGER NOT NULL,
            erase       INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE comments (
            id            BLOB PRIMARY KEY,
            campaign      TEXT NOT NULL,
            author        BLOB NOT NULL,
            sequence      INTEGER NOT NULL,
            hlc_wall      INTEGER NOT NULL,
            hlc_counter   INTEGER NOT NULL,
            display_name  TEXT NOT NULL,
            text          TEXT NOT NULL,
            signature     BLOB,
            authorised    INTEGER NOT NULL,
            hidden        INTEGER NOT NULL,
            hidden_reason TEXT,
            withdrawn     INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE comment_hides (
            id          BLOB PRIMARY KEY,
            comment     BLOB NOT NULL,
            author      BLOB NOT NULL,
            sequence    INTEGER NOT NULL,
            hlc_wall    INTEGER NOT NULL,
            hlc_counter INTEGER NOT NULL,
            authorised  INTEGER NOT NULL,
            reason      TEXT NOT NULL
        );
        CREATE TABLE fork_adoptions (
            id         BLOB NOT NULL,
            head       BLOB NOT NULL,
            device     BLOB NOT NULL,
            author     BLOB NOT NULL,
            sequence   INTEGER NOT NULL,
            authorised INTEGER NOT NULL,
            reason     TEXT,
            PRIMARY KEY (id, head)
        );
        CREATE TABLE forked_logs (
            author        BLOB PRIMARY KEY,
            fork_sequence INTEGER NOT NULL,
            entries       INTEGER NOT NULL,
            branches      INTEGER NOT NULL,
            held          INTEGER NOT NULL
        );
        CREATE TABLE signer_references (
            id          BLOB NOT NULL,
            signature   BLOB NOT NULL,
            signer      BLOB NOT NULL,
            author      BLOB NOT NULL,
            sequence    INTEGER NOT NULL,
            hlc_wall    INTEGER NOT NULL,
            hlc_counter INTEGER NOT NULL,
            authorised  INTEGER NOT NULL,
            PRIMARY KEY (id, signature)
        );
        CREATE TABLE paper_lists (
            id          BLOB PRIMARY KEY,
            campaign    TEXT NOT NULL,
            list        INTEGER NOT NULL,
            rows        INTEGER NOT NULL,
            device      BLOB,
            author      BLOB NOT NULL,
            sequence    INTEGER NOT NULL,
            hlc_wall    INTEGER NOT NULL,
            hlc_counter INTEGER NOT NULL,
            authorised  INTEGER NOT NULL
        );
        CREATE TABLE erasures (
            id          BLOB PRIMARY KEY,
            signature   BLOB NOT NULL,
            payload     BLOB NOT NULL,
            author      BLOB NOT NULL,
            sequence    INTEGER NOT NULL,
            hlc_wall    INTEGER NOT NULL,
            hlc_counter INTEGER NOT NULL,
            authorised  INTEGER NOT NULL,
            reason      TEXT
        );
        CREATE TABLE held_entries (
            id     BLOB PRIMARY KEY,
            author BLOB NOT NULL
        );
        CREATE INDEX held_entries_by_author ON held_entries (author);
        CREATE TABLE signature_counts (
            campaign  TEXT NOT NULL,
            dimension TEXT NOT NULL,
            value     ANY NOT NULL,
            n         INTEGER NOT NULL,
            PRIMARY KEY (campaign, dimension, value)
        ) WITHOUT ROWID;
        CREATE VIEW counts_by_campaign AS
            SELECT campaign, value AS state, n AS signatures FROM signature_counts WHERE dimension = 'state' AND n > 0;
        CREATE VIEW counts_by_day AS
            SELECT campaign, value AS day, n AS signatures FROM signature_counts WHERE dimension = 'day' AND n > 0;
        CREATE VIEW counts_by_channel AS
            SELECT campaign, value AS channel, n AS signatures FROM signature_counts WHERE dimension = 'channel' AND n > 0;
        CREATE VIEW counts_by_device AS
            SELECT campaign, value AS device, n AS signatures FROM signature_counts WHERE dimension = 'device' AND n > 0;
        CREATE VIEW counts_by_country AS
            SELECT campaign, value AS country, n AS signatures FROM signature_counts WHERE dimension = 'country' AND n > 0;
        CREATE VIEW findings AS
            SELECT id AS entry, state AS kind, campaign AS detail FROM signatures WHERE state IN ('duplicate', 'late', 'unauthorised', 'orphan', 'forked', 'unchecked')
            UNION ALL SELECT id, 'invalid-withdrawal', 'receipt or author does not match' FROM withdrawals
                WHERE valid = 0 AND signature IN (SELECT id FROM signatures)
            UNION ALL SELECT id, 'withdrawal-of-unknown-signature', '' FROM withdrawals WHERE signature NOT IN (SELECT id FROM signatures)
            UNION ALL SELECT id, 'unauthorised', 'comment' FROM comments WHERE authorised = 0
            UNION ALL SELECT id, 'unauthorised', 'comment.hidden' FROM comment_hides WHERE authorised = 0
            UNION ALL SELECT id, 'unauthorised', kind FROM campaign_versions WHERE authorised = 0
            UNION ALL SELECT id, 'unauthorised', 'campaign.closed' FROM campaign_closes WHERE authorised = 0;
        """
}
