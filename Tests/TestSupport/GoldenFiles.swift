import Foundation
import Testing

/// Golden-file comparison: the expected outputs live in a `Golden` folder beside the test
/// file that names them. After an intended change to what they show, rewrite them with
///
///     GQ_UPDATE_GOLDEN=1 swift test -c release --filter PlottingTests   (or ExportTests)
///
/// then review the diff (`git diff Tests/*/Golden`) before committing.
public struct GoldenFiles: Sendable {
    public static var updating: Bool { ProcessInfo.processInfo.environment["GQ_UPDATE_GOLDEN"] == "1" }

    /// The `Golden` folder in the source tree, read and rewritten in place.
    public let folder: URL

    /// The `Golden` folder beside the calling test file.
    public init(besides filePath: String = #filePath) {
        folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    public func check(_ actual: String, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = folder.appendingPathComponent(name)
        if Self.updating {
            try Data(actual.utf8).write(to: file)
            return
        }
        guard let data = try? Data(contentsOf: file) else {
            Issue.record("golden file '\(name)' is missing; create it with GQ_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        guard expected != actual else { return }
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        let line = (0 ..< min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
        Issue.record("""
            output differs from golden file '\(name)' at line \(line + 1):
              expected: \(line < e.count ? e[line].debugDescription : "<end of file>")
              actual:   \(line < a.count ? a[line].debugDescription : "<end of output>")
            if the change is intended, rerun with GQ_UPDATE_GOLDEN=1 and review the diff
            """, sourceLocation: sourceLocation)
    }
}
