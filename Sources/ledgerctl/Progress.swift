import ArgumentParser
import Foundation
import Ledger

/// The `--progress` flag of commands that can run for long (import-paper, import, export,
/// verify, rebuild).
struct ProgressOptions: ParsableArguments {
    @Flag(name: .long, help: "Show progress on stderr even when it is not a terminal (on a terminal it shows after a second).")
    var progress = false

    /// A progress line for this run: on when asked with --progress, or when stderr is a terminal
    /// and the output is not --json (then only once the command has run for a second).
    func line(json: Bool = false) -> ProgressLine {
        let terminal = isatty(STDERR_FILENO) == 1
        return ProgressLine(enabled: progress || (terminal && !json), immediate: progress, terminal: terminal)
    }
}

/// Progress on stderr: one line rewritten in place on a terminal, else a line per report (at
/// most five a second, and always the last of each step). Never on stdout.
final class ProgressLine {
    private let enabled: Bool
    private let immediate: Bool
    private let terminal: Bool
    private let started = Date()
    private var last = Date.distantPast
    private var lastPhase = ""
    private var shown = false

    init(enabled: Bool, immediate: Bool, terminal: Bool) {
        self.enabled = enabled
        self.immediate = immediate
        self.terminal = terminal
    }

    func report(_ progress: WorkProgress) {
        guard enabled else { return }
        let now = Date()
        if !immediate && now.timeIntervalSince(started) < 1 { return }
        let final = progress.done >= progress.total
        if !final && progress.phase == lastPhase && now.timeIntervalSince(last) < 0.2 { return }
        last = now
        lastPhase = progress.phase
        let text = "\(progress.phase): \(progress.done)/\(progress.total)"
        if terminal {
            write("\r\u{1B}[K" + text)
            shown = true
        } else {
            write(text + "\n")
        }
    }

    /// Clears a terminal's progress line, so the result prints on a clean line.
    func finish() {
        if shown { write("\r\u{1B}[K") }
        shown = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
