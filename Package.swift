// swift-tools-version:6.1
// gq: mixed-precision, sub-8-bit, integer-only quantization of GRU networks.
//
// Module graph (left needs right); docs/architecture.md says what each module owns:
//   gq → {Shell, LineEditing, Quantization (the GQ_KERNELS check)};  Shell → {Workbench, Plotting, TextMatching}
//   Workbench → {Quantization, Export, Search, Datasets}: the application without a terminal
//   Export → Quantization: a configuration as C for microcontrollers
//   ONNX → {Quantization, GRU, Kernels, SwiftProtobuf}: ONNX models in (float) and out (integer, bit-exact)
//   Quantization → {GRU, CIntegerKernels};  GRU → {Kernels, Randomness};  Kernels → CFloatKernels
//   CIntegerKernels: the integer step on AVX-512 and on AVX2 in C, chosen at run time
//   CFloatKernels: the float GEMM's packed-panel micro-kernels on AVX-512 and AVX2 in C; the thread's subnormal mode
//   Search → Randomness (no GRU knowledge)
//   Datasets → {CZlib, Randomness, TextMatching, MemoryLimits};  LineEditing → {CEditLine, CSignals}
//   MemoryLimits: the process's effective memory limit (physical, cgroup, ulimit), used by
//   Datasets and Workbench
//   Fuzzing → {Shell, Datasets, GRU, ONNX, Quantization, Search}: the input paths as fuzz targets
//   TextMatching: did-you-mean suggestions, shared by the shell and the task catalog
//   FileWriting: whole-or-nothing writes (exclusive temporaries, atomic replace, whole-row
//   append), used by GRU, Search, LineEditing, Workbench and Shell
import PackageDescription

// Speed flags for the hot loops, kept in this one place.
// -Ounchecked drops the overflow and bounds checks that stop vectorisation;
// an FMA-capable target CPU turns SIMD multiply-adds into single instructions
// instead of one libm `fmaf` call per lane. Release builds only, so debug
// builds keep their checks; x86_64 only, so macOS/arm64 builds stay plain.
// GQ_TARGET_CPU (an LLVM CPU name, as `alderlake`) builds for another x86-64 CPU than this
// one: `GQ_TARGET_CPU=alderlake scripts/bench integer` measures the Swift kernels as a machine
// without AVX-512 compiles them.
#if arch(x86_64)
let targetCPU = Context.environment["GQ_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 } ?? "native"
let hotLoopFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-target-cpu", targetCPU], .when(configuration: .release))
]
#else
let hotLoopFlags: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release))
]
#endif

let package = Package(
    name: "gq",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gq", targets: ["gq"]),
        .executable(name: "gq-fuzz", targets: ["GQFuzz"]),
    ],
    // `swift build --traits MPI` (scripts/build-mpi): gq runs under mpirun, sharing each
    // generation's evaluations between ranks (docs/cluster.md). Off by default, so the
    // default build needs no MPI.
    traits: [
        .trait(name: "MPI", description: "evolve over Open MPI ranks (needs libopenmpi-dev)"),
    ],
    // The ONNX message types are generated once from Sources/ONNX/Proto/onnx.proto and
    // committed (scripts/generate-onnx-swift), so builds need the runtime library only.
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CSignals"),
        .target(name: "Randomness"),
        .target(name: "FileWriting"),
        .target(name: "TextMatching"),
        .target(name: "MemoryLimits"),
        // The float GEMM's micro-kernels on AVX-512 and AVX2 in C, chosen at run time, as
        // CIntegerKernels is; Kernels keeps its Swift ones for every other CPU.
        .target(name: "CFloatKernels"),
        .target(name: "Kernels", dependencies: ["CFloatKernels"], swiftSettings: hotLoopFlags),
        .target(name: "GRU", dependencies: ["Kernels", "Randomness", "FileWriting"], swiftSettings: hotLoopFlags),
        // The integer engine's AVX-512 and AVX2 steps in C (intrinsics Swift cannot express),
        // chosen at run time; per-function target attributes, so no flag here.
        .target(name: "CIntegerKernels"),
        .target(name: "Quantization", dependencies: ["GRU", "Kernels", "Randomness", "CIntegerKernels"], swiftSettings: hotLoopFlags),
        .target(name: "Search", dependencies: ["Randomness", "FileWriting"], swiftSettings: hotLoopFlags),
        .target(name: "Plotting"),
        .target(
            name: "Datasets",
            dependencies: ["CZlib", "Randomness", "TextMatching", "MemoryLimits"],
            resources: [.copy("Resources/digits.csv.gz")]
        ),
        .target(name: "LineEditing", dependencies: ["CEditLine", "CSignals", "FileWriting"]),
        .target(name: "Export", dependencies: ["Quantization"]),
        .target(name: "ONNX", dependencies: ["Quantization", "GRU", "Kernels", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["Proto"]),
        .target(name: "Workbench", dependencies: ["GRU", "Datasets", "Randomness", "Quantization", "Export", "ONNX", "Search", "FileWriting", "MemoryLimits"]),
        .target(name: "Shell", dependencies: ["Workbench", "Plotting", "TextMatching", "FileWriting"]),
        .executableTarget(name: "gq", dependencies: ["Shell", "LineEditing", "CSignals", "Quantization",
                                                     .target(name: "Cluster", condition: .when(traits: ["MPI"]))]),
        // Open MPI through pkg-config, its calls as plain C, and the ranks as a BatchPartition;
        // CMPI only with the trait, so a default build never looks for Open MPI.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "MPIBridge", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .target(name: "Cluster", dependencies: ["MPIBridge", "Search", "FileWriting"]),
        // Every input path a user controls, as fuzz targets (scripts/fuzz), and their driver.
        .target(name: "Fuzzing", dependencies: ["Shell", "Datasets", "GRU", "ONNX", "Quantization", "Search"]),
        .executableTarget(name: "GQFuzz", dependencies: ["Fuzzing"]),

        // What the test targets share (the process runner, golden files); not part of any product.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "CFloatKernels"]),
        .testTarget(name: "FileWritingTests", dependencies: ["FileWriting"]),
        .testTarget(name: "GRUTests", dependencies: ["GRU", "Datasets"], resources: [.copy("Fixtures")]),
        .testTarget(name: "QuantizationTests", dependencies: ["Quantization", "Datasets"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SearchTests", dependencies: ["Search"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "ONNXTests", dependencies: ["ONNX", "GRU"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "MemoryLimits"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LineEditingTests", dependencies: ["LineEditing"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "MemoryLimits", "GRU", "Randomness", "TestSupport"]),
        .testTarget(name: "MemoryLimitsTests", dependencies: ["MemoryLimits"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Quantization", "Datasets", "GRU", "Randomness", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "ShellTests", dependencies: ["Shell"]),
        .testTarget(name: "GQTests", dependencies: ["gq", "TestSupport"]),
        .testTarget(name: "FuzzingTests", dependencies: ["Fuzzing"], exclude: ["script.dict"], resources: [.copy("Regressions"), .copy("Seeds")]),
    ]
)
