import Dispatch
import Foundation
import GRU
import Kernels

/// Evaluates integer configurations on one fixed set of sequences, fast.
///
/// The sequences are sorted by length (longest first), cut into chunks of `chunkRows` and
/// stored time-major once; input codes are cached per input quantizer, so a search that keeps
/// `input` fixed quantizes the data once. Chunks run on `threads` workers; each sequence's
/// result depends only on itself, so any thread count gives identical results. Safe to call
/// from several threads at once.
public final class IntegerEvaluator: @unchecked Sendable {
    // @unchecked: the chunk data are immutable after init; the code cache is guarded by `lock`.
    public let count: Int
    public let featureCount: Int
    public let labels: [Int]?
    let chunkRows: Int
    /// The kernels every evaluation uses (`.automatic` unless a test or benchmark asks).
    public let kernels: IntegerKernelSet

    struct Chunk {
        var indices: [Int]      // caller's index of each row
        var lengths: [Int]
        var steps: Int
        var active: [Int]       // active[t] rows have step t
        var raw: [Float]        // steps × rows × features, zero beyond each length
    }
    let chunks: [Chunk]

    private let lock = NSLock()
    private var codeCache: [CodeKey: ChunkCodes] = [:]
    private var cacheOrder: [CodeKey] = []

    /// Every chunk's input codes, typed as the product mode reads them.
    enum ChunkCodes {
        /// Code + 128 as one byte each (byte products).
        case bytes([[UInt8]])
        /// Int16 codes (plus 2^14 in offset mode).
        case halfwords([[Int16]])

        /// Chunk `index`'s codes as raw memory of their own type, for the engine.
        func withChunk<R>(_ index: Int, _ body: (UnsafeRawPointer) -> R) -> R {
            switch self {
            case .bytes(let chunks): return chunks[index].withUnsafeBytes { body($0.baseAddress!) }
            case .halfwords(let chunks): return chunks[index].withUnsafeBytes { body($0.baseAddress!) }
            }
        }
    }

    struct CodeKey: Hashable {
        var mean: [Float], factor: [Float], bits: Int, mode: PreparedIntegerLayer.ProductMode, featuresPadded: Int
    }

    /// Packs `sequences` (raw, steps × features each); `labels` are optional (for `accuracy`).
    public init(sequences: [[Float]], labels: [Int]? = nil, featureCount: Int, chunkRows: Int = 32,
                kernels: IntegerKernelSet = .automatic) {
        precondition(featureCount > 0 && chunkRows > 0)
        self.kernels = kernels
        if let labels { precondition(labels.count == sequences.count, "IntegerEvaluator: one label per sequence") }
        count = sequences.count
        self.featureCount = featureCount
        self.labels = labels
        self.chunkRows = chunkRows
        let lengths = sequences.map { $0.count / featureCount }
        let order = sequences.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        var chunks: [Chunk] = []
        var start = 0
        while start < order.count {
            let rows = Array(order[start..<min(order.count, start + chunkRows)])
            let rowLengths = rows.map { lengths[$0] }
            let steps = rowLengths.first ?? 0
            var active = [Int](repeating: 0, count: steps + 1)
            for t in 0..<steps { active[t] = rowLengths.filter { $0 > t }.count }
            var raw = [Float](repeating: 0, count: max(steps * rows.count * featureCount, 1))
            for (r, index) in rows.enumerated() {
                let s = sequences[index]
                for t in 0..<rowLengths[r] {
                    for f in 0..<featureCount { raw[(t * rows.count + r) * featureCount + f] = s[t * featureCount + f] }
                }
            }
            chunks.append(Chunk(indices: rows, lengths: rowLengths, steps: steps, active: active, raw: raw))
            start += chunkRows
        }
        self.chunks = chunks
    }

    /// Input codes of every chunk for a prepared model, as its product mode reads them.
    /// Cached; at most four quantizers kept.
    func inputCodes(for prepared: PreparedIntegerNetwork) -> ChunkCodes {
        let q = prepared.model
        let mode = prepared.inputMode
        let key = CodeKey(mean: q.inputMean, factor: q.inputFactor, bits: q.bits[.input], mode: mode,
                          featuresPadded: prepared.featuresPadded)
        lock.lock()
        if let cached = codeCache[key] { lock.unlock(); return cached }
        lock.unlock()
        let f = featureCount, fp = prepared.featuresPadded
        let qmax = Float(CodeRange.signedMax(q.bits[.input]))
        let add = PreparedIntegerLayer.encodedZero(mode)
        let mean = q.inputMean, factor = q.inputFactor
        let halfwords = chunks.map { chunk -> [Int16] in
            let rows = chunk.indices.count
            var out = [Int16](repeating: add, count: max(chunk.steps * rows * fp, 1))
            for t in 0..<chunk.steps {
                for r in 0..<chunk.active[t] {
                    for k in 0..<f {
                        let x = chunk.raw[(t * rows + r) * f + k]
                        let p = (x - mean[k]) * factor[k]
                        let c = min(max(p.rounded(.toNearestOrAwayFromZero), -qmax), qmax)
                        out[(t * rows + r) * fp + k] = Int16(c) &+ add
                    }
                }
            }
            return out
        }
        let codes: ChunkCodes = mode == .bytes ? .bytes(halfwords.map { $0.map { UInt8(truncatingIfNeeded: $0) } }) : .halfwords(halfwords)
        lock.lock()
        if codeCache[key] == nil {
            codeCache[key] = codes
            cacheOrder.append(key)
            if cacheOrder.count > 4 { codeCache[cacheOrder.removeFirst()] = nil }
        }
        lock.unlock()
        return codes
    }

    /// Which kernels evaluate `model` here: for a GRU "avx512 narrow" (the AVX-512 cell on int16
    /// lanes), "avx512" (the AVX-512 cell on int32 lanes), "avx2 narrow" (AVX2 products and
    /// the AVX2 cell on int16 lanes), "avx2" (AVX2 products, the Swift cell), "avxvnni narrow"
    /// and "avxvnni" (the same with AVX-VNNI's byte products where the widths allow), "portable" (the
    /// Swift products and 16-lane cell) or "scalar" (64-bit rescales), per layer when a stack's
    /// layers differ (`l0 avx512 narrow, l1 portable`); for another cell "description avx512",
    /// "description avx2" or "description" (`DescriptionEngine`, with byte products on
    /// AVX-512, int16 ones on AVX2, or Swift's); all are bit-exact, this is for benchmarks and tests.
    public func kernelPath(for model: QuantizedGRU) -> String {
        model.bits.network.cell == .gru ? PreparedIntegerNetwork(model, kernels: kernels).kernelPath
            : DescriptionEngine(model: model, kernels: kernels).path
    }

    /// The paths of cells without hand-written kernels: `DescriptionEngine`, with AVX-512 byte products, AVX2 int16 ones or Swift's.
    public static let describedPaths: Set<String> = ["description", "description avx512", "description avxvnni", "description avx2"]


    /// Integer logits, count × classes row-major in the caller's order.
    public func logits(_ model: QuantizedGRU, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int64] {
        precondition(model.inputSize == featureCount, "IntegerEvaluator: the model has \(model.inputSize) features, the data \(featureCount)")
        let classes = model.classCount
        guard model.bits.network.cell == .gru else {
            // Cells without hand-written kernels: `DescriptionEngine`, on the raw inputs.
            let engine = DescriptionEngine(model: model, kernels: kernels)
            return chunkLogits(classes: classes, threads: threads, makeWorker: { _ in () }) { _, _, chunk, logits in
                chunk.raw.withUnsafeBufferPointer { raw in
                    engine.run(rows: chunk.indices.count, steps: chunk.steps, active: chunk.active, raw: raw.baseAddress!, logits: logits)
                }
            }
        }
        let prepared = PreparedIntegerNetwork(model, kernels: kernels)
        let codes = inputCodes(for: prepared)
        let chunkRows = self.chunkRows
        return chunkLogits(classes: classes, threads: threads, makeWorker: { _ in
            IntegerWorkspace(rows: chunkRows, gateColumns: prepared.gateColumns, hiddenPadded: prepared.hiddenPadded)
        }) { workspace, index, chunk, logits in
            codes.withChunk(index) { c in
                prepared.run(chunkRows: chunk.indices.count, steps: chunk.steps, active: chunk.active,
                             codes: c, workspace: workspace, logits: logits)
            }
        }
    }

    /// Every chunk's logits through `run` (a chunk's index and rows into `chunkRows × classes`
    /// logits), chunks shared among `threads` workers, each with its own state from `makeWorker`;
    /// count × classes in the caller's order.
    private func chunkLogits<Worker>(classes: Int, threads: Int, makeWorker: @escaping @Sendable (Int) -> Worker,
                                     run: @escaping @Sendable (Worker, Int, Chunk, UnsafeMutablePointer<Int64>) -> Void) -> [Int64] {
        var result = [Int64](repeating: 0, count: count * classes)
        let workers = max(1, min(threads, chunks.count))
        let chunks = self.chunks, chunkRows = self.chunkRows
        result.withUnsafeMutableBufferPointer { out in
            let sink = UncheckedSendable(out.baseAddress!)
            let work: @Sendable (Int) -> Void = { (worker: Int) in
                let state = makeWorker(worker)
                var local = [Int64](repeating: 0, count: chunkRows * classes)
                var index = worker
                while index < chunks.count {
                    let chunk = chunks[index]
                    local.withUnsafeMutableBufferPointer { run(state, index, chunk, $0.baseAddress!) }
                    for (r, i) in chunk.indices.enumerated() {
                        for k in 0..<classes { sink.value[i * classes + k] = local[r * classes + k] }
                    }
                    index += workers
                }
            }
            if workers == 1 {
                work(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: workers) { work($0) }
            }
        }
        return result
    }

    /// The predicted class of each sequence.
    public func predictions(_ model: QuantizedGRU, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int] {
        let all = logits(model, threads: threads)
        let c = model.classCount
        return (0..<count).map { QuantizedGRU.argmax(all[(($0) * c)..<(($0 + 1) * c)]) }
    }

    /// Fraction of sequences predicted right (needs labels).
    public func accuracy(_ model: QuantizedGRU, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> Double {
        guard let labels else { preconditionFailure("IntegerEvaluator.accuracy: no labels were given") }
        guard count > 0 else { return 0 }
        let predicted = predictions(model, threads: threads)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(count)
    }
}
