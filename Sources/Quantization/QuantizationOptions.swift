/// How a float GRU becomes an integer one: calibration and arithmetic choices.
///
/// Changing `range`, `refine`, `calibrationSize` or `calibrationSeed` means calibrating
/// again; so do `weights` and `requantization` while `refine` is on (the refinement runs the
/// integer model they build). Otherwise they only change how a configuration is built.
public struct QuantizationOptions: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The percentile `RangeMethod(kind: .percentile, …)` takes when none is given.
    public static let defaultPercentile = 99.99

    /// The spelling of each range method, without the percentile's value.
    public enum RangeKind: String, CaseIterable, Sendable {
        case maxAbs = "max-abs", percentile, mse
    }

    /// How an activation's clipping range is chosen from the calibration values.
    public enum RangeMethod: Hashable, Codable, Sendable, CustomStringConvertible {
        /// The largest magnitude seen.
        case maxAbs
        /// The given percentile (e.g. 99.99) of the magnitudes.
        case percentile(Double)
        /// The range minimising the mean squared quantization error, per bit width.
        case mse

        /// `percentile` is read only for `.percentile`.
        public init(kind: RangeKind, percentile: Double = QuantizationOptions.defaultPercentile) {
            switch kind {
            case .maxAbs: self = .maxAbs
            case .percentile: self = .percentile(percentile)
            case .mse: self = .mse
            }
        }

        public var kind: RangeKind {
            switch self {
            case .maxAbs: return .maxAbs
            case .percentile: return .percentile
            case .mse: return .mse
            }
        }

        public var description: String {
            switch self {
            case .percentile(let p): return "\(kind.rawValue) \(QuantizationOptions.format(p))"
            case .maxAbs, .mse: return kind.rawValue
            }
        }
    }

    /// One weight scale per output channel (row) or one per tensor.
    public enum WeightGranularity: String, Hashable, Codable, Sendable, CaseIterable {
        case perChannel = "channel"
        case perTensor = "tensor"
    }

    /// How real rescaling factors become integer arithmetic.
    public enum Requantization: String, Hashable, Codable, Sendable, CaseIterable {
        /// An integer multiplier in [2^14, 2^15) and a shift (any real scale).
        case multiplierShift = "multiplier"
        /// Every scale a power of two, so rescaling is a shift alone.
        case powerOfTwo = "pow2"
    }

    /// Whether ranges at the search's widths are then fitted to the float model's outputs.
    public enum Refinement: String, Hashable, Codable, Sendable, CaseIterable {
        /// The range method's ranges as they are.
        case off
        /// Each operator's range at 2–8 bits scaled to bring the homogeneous integer model's
        /// logits closest to the float model's: the squared difference, each sequence's
        /// logits centred (`RangeRefinement`).
        case logits
        /// As `logits`, judged by the divergence of the class probabilities instead, which an
        /// overconfident model's saturated softmax hides until an answer flips.
        case kl

        /// How the options' description names the refinement; nil when there is none.
        var phrase: String? {
            switch self {
            case .off: nil
            case .logits: "refined by logit error"
            case .kl: "refined by KL"
            }
        }
    }

    public var range: RangeMethod
    public var refine: Refinement
    public var weights: WeightGranularity
    public var requantization: Requantization
    /// Sequences drawn from the training split to calibrate on.
    public var calibrationSize: Int
    /// Seeds the choice of calibration sequences.
    public var calibrationSeed: UInt64

    public init(range: RangeMethod = .mse, refine: Refinement = .logits, weights: WeightGranularity = .perChannel,
                requantization: Requantization = .multiplierShift,
                calibrationSize: Int = 256, calibrationSeed: UInt64 = 0) {
        self.range = range
        self.refine = refine
        self.weights = weights
        self.requantization = requantization
        self.calibrationSize = calibrationSize
        self.calibrationSeed = calibrationSeed
    }

    /// `range mse, weights per channel, requantization multiplier+shift, calibration 256 sequences (seed 0)`.
    public var description: String {
        "range \(range)\(refine.phrase.map { " " + $0 } ?? ""), weights per \(weights == .perChannel ? "channel" : "tensor"), requantization \(requantization == .multiplierShift ? "multiplier+shift" : "power-of-two shift"), calibration \(calibrationSize) sequences (seed \(calibrationSeed))"
    }

    /// Whether two option sets calibrate identically (the same ranges come out).
    public func calibratesLike(_ other: QuantizationOptions) -> Bool {
        calibrationSize == other.calibrationSize && calibrationSeed == other.calibrationSeed && refine == other.refine
            && (refine == .off || (weights == other.weights && requantization == other.requantization))
    }

    private enum CodingKeys: String, CodingKey {
        case range, refine, weights, requantization, calibrationSize, calibrationSeed
    }

    /// Files written before refinement existed calibrated without it, and still mean that.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        range = try c.decode(RangeMethod.self, forKey: .range)
        refine = try c.decodeIfPresent(Refinement.self, forKey: .refine) ?? .off
        weights = try c.decode(WeightGranularity.self, forKey: .weights)
        requantization = try c.decode(Requantization.self, forKey: .requantization)
        calibrationSize = try c.decode(Int.self, forKey: .calibrationSize)
        calibrationSeed = try c.decode(UInt64.self, forKey: .calibrationSeed)
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}
