/// How far a long operation got, for a progress line: `done` of `total` units of the step named
/// `phase` ("sealing rows", "verifying entries"). Handlers are called on the caller's thread, in
/// order, at most every few hundred units; the last call of a step has `done == total`.
public struct WorkProgress: Sendable, Equatable {
    public var phase: String
    public var done: Int
    public var total: Int

    public init(phase: String, done: Int, total: Int) {
        self.phase = phase
        self.done = done
        self.total = total
    }

    /// Calls `handler` for unit `done` of `total` when it is a multiple of `every`, or the last.
    static func report(_ handler: (WorkProgress) -> Void, _ phase: String, _ done: Int, of total: Int, every: Int = 250) {
        if done % every == 0 || done == total { handler(WorkProgress(phase: phase, done: done, total: total)) }
    }
}
