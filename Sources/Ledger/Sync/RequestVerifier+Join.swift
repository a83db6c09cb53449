extension RequestVerifier {
    /// Verifies a `POST /v1/join` request (docs/PROTOCOL.md, "Joining") and returns the key that
    /// signed it.
    ///
    /// A joining device is not enrolled yet, so this skips the enrolment check of
    /// ``verify(header:method:path:body:ledger:policy:now:)`` and nothing else: the same headers, the
    /// same signed message, the same clock rule, the same replay memory. A revoked key is still
    /// refused. The caller decides whether the key may join (the invitation proof in the body).
    ///
    /// For example:
    /// ```swift
    /// let device = try verifier.verifyJoining(header: { request.headers[$0] }, method: "POST", path: "/v1/join",
    ///                                         body: body, ledger: try node.ledgerID, policy: try node.store.trustPolicy(), now: now)
    /// let answer = try node.completeJoin(joinRequest, signedBy: device)
    /// ```
    public func verifyJoining(header: (String) -> String?, method: String, path: String, body: [UInt8],
                              ledger: Digest, policy: TrustPolicy, now: UInt64) throws -> PublicKey {
        guard let text = header(RequestAuth.Header.node), !text.isEmpty else { throw AuthError.missing(RequestAuth.Header.node) }
        guard let device = PublicKey(hex: text) else { throw AuthError.malformed(RequestAuth.Header.node) }
        // Admit the unknown key for this check only, as a field device: every other rule applies as is.
        var admitting = policy
        if admitting.role(of: device) == nil { admitting.enrol(device, role: .field) }
        return try verify(header: header, method: method, path: path, body: body, ledger: ledger, policy: admitting, now: now).node
    }
}
