import Foundation
import Fuzzing

// Two builds of one driver (scripts/fuzz says which runs when):
// - with -D FUZZING and -sanitize=fuzzer, libFuzzer owns `main` and calls the entry point
//   below with each input; the target comes from GQ_FUZZ_TARGET;
// - in a plain build, `gq-fuzz TARGET FILE...` replays inputs (a crash found by the
//   fuzzer, or a whole corpus) and prints what gq says about each.

#if FUZZING
nonisolated(unsafe) private var selected: FuzzTarget?

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

// SwiftPM links an executable's entry point as MODULE_main; libFuzzer's driver runs from it.
@_cdecl("GQFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    if selected == nil {
        guard let name = ProcessInfo.processInfo.environment["GQ_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("gq-fuzz: set GQ_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        selected = target
    }
    let bytes = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = selected?.run(bytes)
    return 0
}
#else
@main
struct GQFuzz {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: gq-fuzz TARGET [FILE...]   (TARGET: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))\n".utf8))
            exit(2)
        }
        let files = arguments.dropFirst()
        let inputs: [(String, Data)] = files.isEmpty
            ? [("stdin", FileHandle.standardInput.readDataToEndOfFile())]
            : files.map { ($0, FileManager.default.contents(atPath: $0) ?? Data()) }
        for (file, bytes) in inputs {
            print("\(file): \(target.run(bytes) ?? "accepted")")
        }
    }
}
#endif
