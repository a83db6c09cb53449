/// Turns entries into the read-model tables, inside the transaction that stores them.
///
/// This is the minimal projection the foundation needs (campaign state, signatures by receipt);
/// the full read models (counts, duplicates, comments, determinism digest) build on it.
enum Projector {
    static func apply(_ entry: Entry, in connection: SQLiteConnection) throws {
        guard let type = EventType(rawValue: entry.type) else { return }
        switch type {
        case .ledgerCreated, .commentPosted:
            return
        case .campaignPublished:
            let body = try entry.decodeBody(CampaignPublished.self)
            let title = body.languages.first.flatMap { body.texts[$0]?.title } ?? body.campaign
            let statement = try connection.statement("""
                INSERT INTO campaigns (campaign, version, title, state, goal, deadline, published_at)
                VALUES (?, ?, ?, 'open', ?, ?, ?) ON CONFLICT (campaign) DO NOTHING
                """)
            statement.bind(1, body.campaign)
            statement.bind(2, entry.id.bytes)
            statement.bind(3, title)
            statement.bind(4, body.goal)
            statement.bind(5, body.deadline.flatMap(Timestamps.parse).map { Int64($0) })
            statement.bind(6, Int64(entry.timestamp.wall))
            try statement.run()
        case .campaignClosed:
            let body = try entry.decodeBody(CampaignClosed.self)
            let statement = try connection.statement(
                "UPDATE campaigns SET state = 'closed', closed_at = ? WHERE campaign = ? AND state = 'open'")
            statement.bind(1, Int64(entry.timestamp.wall))
            statement.bind(2, body.campaign)
            try statement.run()
        case .signatureRecorded:
            let body = try entry.decodeBody(SignatureRecorded.self)
            let statement = try connection.statement("""
                INSERT OR IGNORE INTO signatures (id, campaign, receipt_hash, signer, state)
                VALUES (?, ?, ?, ?, 'counted')
                """)
            statement.bind(1, entry.id.bytes)
            statement.bind(2, body.campaign)
            statement.bind(3, Hex.decode(body.receiptHash) ?? [])
            statement.bind(4, Hex.decode(body.signer) ?? [])
            try statement.run()
        case .signatureWithdrawn:
            let body = try entry.decodeBody(SignatureWithdrawn.self)
            let statement = try connection.statement("UPDATE signatures SET state = 'withdrawn' WHERE id = ?")
            statement.bind(1, Hex.decode(body.signature) ?? [])
            try statement.run()
        }
    }
}
