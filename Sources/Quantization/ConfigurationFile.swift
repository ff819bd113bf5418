import Foundation
import GRU

/// A bit configuration with its weights: safetensors (PyTorch names) plus metadata.
///
/// Metadata keys: `gq.format` = `gq-config-1`, `gq.bits` (JSON object operator → width),
/// `gq.options` (JSON of `QuantizationOptions`), `gq.calibration` (JSON of `Calibration`,
/// the ranges at every width) and `gq.tuned` (`true` when the weights were fine-tuned).
/// Together they rebuild exactly the same `QuantizedGRU`.
public struct ConfigurationFile: Sendable, Equatable {
    public static let format = "gq-config-1"
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        try model.write(to: url, metadata: [
            "gq.format": ConfigurationFile.format,
            "gq.bits": try json(bits),
            "gq.options": try json(options),
            "gq.calibration": try json(calibration),
            "gq.tuned": tuned ? "true" : "false",
        ])
    }

    /// Reads a file written by `write`.
    public static func read(_ url: URL) throws -> (file: ConfigurationFile, model: GRUClassifier) {
        let (model, metadata) = try GRUClassifier.load(contentsOf: url)
        guard metadata["gq.format"] == format else {
            throw ConfigurationFileError(path: url.path, reason: metadata["gq.format"].map { "format '\($0)' is not \(format)" }
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
        let file = ConfigurationFile(bits: try decode(BitWidths.self, "gq.bits"),
                                     options: try decode(QuantizationOptions.self, "gq.options"),
                                     calibration: try decode(Calibration.self, "gq.calibration"),
                                     tuned: metadata["gq.tuned"] == "true")
        return (file, model)
    }
}

/// A configuration file that cannot be used, and why.
public struct ConfigurationFileError: Error, LocalizedError, Equatable {
    public var path: String
    public var reason: String
    public var errorDescription: String? { "\(path) is not a gq configuration: \(reason)" }
}
