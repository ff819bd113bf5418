import Foundation
import GRU

/// A bit configuration with its weights: safetensors (PyTorch names) plus metadata.
///
/// Metadata keys: `gq.format` = `gq-config-2`, `gq.bits` (JSON object operator name →
/// width), `gq.options` (JSON of `QuantizationOptions`), `gq.calibration` (JSON object:
/// `method`, `sequenceCount`, and `ranges`, an object from operator name, as the network
/// names it (`gate.z`, or `l1.gate.z` in a stack), to the ranges at widths 2…16) and
/// `gq.tuned` (`true` when the weights were fine-tuned). Together they rebuild exactly the
/// same `QuantizedGRU`. The weights' layers (PyTorch's `gru.weight_ih_l1`, …) say which
/// network the widths and ranges must name.
///
/// `gq-config-1` files (written before 2 and still read) hold the same, except that their
/// calibration `ranges` is an array of rows in the network's operator order (`NetworkDescription.operators`).
public struct ConfigurationFile: Sendable, Equatable {
    /// The format `write` writes.
    public static let format = "gq-config-2"
    /// Ranges by operator position instead of by name.
    static let positionalFormat = "gq-config-1"
    public var bits: BitWidths
    public var options: QuantizationOptions
    public var calibration: Calibration
    public var tuned: Bool

    public init(bits: BitWidths, options: QuantizationOptions, calibration: Calibration, tuned: Bool) {
        self.bits = bits
        self.options = options
        self.calibration = calibration
        self.tuned = tuned
    }

    /// Writes `model`'s weights and this configuration atomically.
    public func write(model: GRUClassifier, to url: URL) throws {
        // Widths, ranges and weights of one network (what `read` checks).
        precondition(calibration.network == model.network && bits.network == model.network,
                     "ConfigurationFile: widths of \(bits.network) and ranges of \(calibration.network) for \(model.network)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        try model.write(to: url, metadata: [
            "gq.format": ConfigurationFile.format,
            "gq.bits": try json(bits),
            "gq.options": try json(options),
            "gq.calibration": try json(NamedCalibration(calibration)),
            "gq.tuned": tuned ? "true" : "false",
        ])
    }

    /// Reads a file written by `write`.
    public static func read(_ url: URL) throws -> (file: ConfigurationFile, model: GRUClassifier) {
        let (model, metadata) = try GRUClassifier.load(contentsOf: url)
        guard let version = metadata["gq.format"], version == format || version == positionalFormat else {
            throw ConfigurationFileError(path: url.path, reason: metadata["gq.format"].map { "format '\($0)' is not \(format) (or the older \(positionalFormat))" }
                ?? "it holds a model but no bit configuration (save one with 'save config')")
        }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = metadata[key] else { throw ConfigurationFileError(path: url.path, reason: "metadata '\(key)' is missing") }
            do {
                return try decoder.decode(type, from: Data(text.utf8))
            } catch {
                throw ConfigurationFileError(path: url.path, reason: "metadata '\(key)' is not valid: \(error)")
            }
        }
        let bits = try decode(BitWidths.self, "gq.bits")
        // The widths must name the operators of the weights' network: `l1.gate.z` belongs to a stack.
        let network = model.network
        guard bits.network == network else {
            throw ConfigurationFileError(path: url.path, reason: "metadata 'gq.bits' gives widths for \(bits.network), but the model in the file is \(network)")
        }
        let options = try decode(QuantizationOptions.self, "gq.options")
        let calibration: Calibration
        if version == positionalFormat {
            calibration = try decode(Calibration.self, "gq.calibration")
        } else {
            let named = try decode(NamedCalibration.self, "gq.calibration")
            let ranges = try named.rows(path: url.path, network: network)
            // Checked before `Calibration.init`, which requires one row per operator and width.
            if let reason = problem(with: ranges, network: network) { throw ConfigurationFileError(path: url.path, reason: reason) }
            calibration = Calibration(method: named.method, sequenceCount: named.sequenceCount, ranges: ranges)
        }
        let file = ConfigurationFile(bits: bits, options: options, calibration: calibration, tuned: metadata["gq.tuned"] == "true")
        if let reason = file.problem(with: model) { throw ConfigurationFileError(path: url.path, reason: reason) }
        return (file, model)
    }

    /// What makes this configuration unusable with `model`, in words naming the field, or nil.
    /// Every number an integer model is built from is checked, so a hand-edited file can
    /// neither crash the engine nor quietly give a different model.
    func problem(with model: GRUClassifier) -> String? {
        if let reason = Self.problem(with: calibration.ranges, network: model.network) { return reason }
        if calibration.sequenceCount < 0 { return "calibration 'sequenceCount' is \(calibration.sequenceCount)" }
        if options.calibrationSize < 1 { return "option calibrationSize is \(options.calibrationSize); it is at least 1" }
        if case .percentile(let p) = options.range, !(p > 0 && p <= 100) { return "option percentile is \(p); it is above 0 and at most 100" }
        // The model's own values (finite weights, positive input scales) are checked by
        // `GRUClassifier(archive:file:)` as the file is read.
        return nil
    }

    /// What makes `ranges` (rows in `network.operators` order) unusable, naming the operator
    /// and width, or nil.
    static func problem(with ranges: [[Double]], network: NetworkDescription) -> String? {
        let names = network.names, widths = BitWidths.allowed.count
        if ranges.count != names.count {
            return "calibration 'ranges' has \(ranges.count) rows; expected \(names.count), one per operator of \(network)"
        }
        for (name, row) in zip(names, ranges) {
            if row.count != widths { return "calibration range of \(name) has \(row.count) entries; expected \(widths), one per width 2…16" }
            if let bad = row.firstIndex(where: { !($0.isFinite && $0 > 0 && $0 < 1e30) }) {
                return "calibration range of \(name) at \(bad + BitWidths.allowed.lowerBound) bits is \(row[bad]); ranges are positive and finite"
            }
        }
        return nil
    }

    /// A calibration as `gq-config-2` stores it: the ranges by operator name.
    struct NamedCalibration: Codable {
        var method: QuantizationOptions.RangeMethod
        var sequenceCount: Int
        var ranges: [String: [Double]]

        init(_ calibration: Calibration) {
            method = calibration.method
            sequenceCount = calibration.sequenceCount
            // `zip`: a calibration has a row per operator, but one made by hand (through
            // JSON, as the hostile-file tests do) may have fewer, and writes only those.
            ranges = Dictionary(uniqueKeysWithValues: zip(calibration.network.names, calibration.ranges).map { ($0, $1) })
        }

        /// The rows in `network.operators` order; every operator named once, no other name.
        func rows(path: String, network: NetworkDescription) throws(ConfigurationFileError) -> [[Double]] {
            let names = network.names
            if let unknown = ranges.keys.sorted().first(where: { !names.contains($0) }) {
                throw ConfigurationFileError(path: path, reason: "calibration 'ranges' has a row for '\(unknown)', which is no operator of \(network); operators: \(names.joined(separator: " "))")
            }
            return try names.map { name throws(ConfigurationFileError) in
                guard let row = ranges[name] else { throw ConfigurationFileError(path: path, reason: "calibration 'ranges' has no row for \(name)") }
                return row
            }
        }
    }
}

/// A configuration file that cannot be used, and why.
public struct ConfigurationFileError: Error, LocalizedError, Equatable {
    public var path: String
    public var reason: String
    public var errorDescription: String? { "\(path) is not a gq configuration: \(reason)" }
}
