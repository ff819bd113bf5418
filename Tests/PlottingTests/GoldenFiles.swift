import Foundation
import Testing

/// Golden-file comparison.
///
/// The expected outputs live in Tests/PlottingTests/Golden (a test resource).
/// After an intended change to the renderers, rewrite them with
///
///     GQ_UPDATE_GOLDEN=1 swift test -c release --filter PlottingTests
///
/// then review the diff (`git diff Tests/PlottingTests/Golden`) before committing.
enum GoldenFiles {
    static var updating: Bool { ProcessInfo.processInfo.environment["GQ_UPDATE_GOLDEN"] == "1" }

    /// The source folder, for rewriting; reading goes through the bundle like any resource.
    static var sourceFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    }

    static func check(_ actual: String, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if updating {
            try Data(actual.utf8).write(to: sourceFolder.appendingPathComponent(name))
            return
        }
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Golden"),
              let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else {
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
