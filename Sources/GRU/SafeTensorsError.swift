import Foundation

/// Why a safetensors file could not be read or written; every case names the file (and tensor).
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file could not be opened or read at all.
    case unreadable(file: String, reason: String)
    /// Fewer than the 8 bytes of header length.
    case truncated(file: String, size: Int)
    /// The header length points past the end of the file.
    case headerLengthPastEnd(file: String, headerLength: UInt64, fileSize: Int)
    /// The header is not the JSON object the format requires.
    case malformedHeader(file: String, reason: String)
    /// A tensor's dtype cannot be read as floating point.
    case wrongDType(file: String, tensor: String, dtype: String)
    /// A tensor's shape does not fit the model.
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])
    /// A required tensor is absent.
    case missingTensor(file: String, tensor: String)
    /// A tensor's data offsets lie outside the data section or disagree with its shape.
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Writing or renaming the file failed; any temporary file was removed.
    case writeFailed(file: String, reason: String)
    /// Tensors gq does not use: running without them would be another model than the file holds.
    case unusedTensors(file: String, tensors: [String], meaning: String)
    /// Two tensors' data ranges share bytes.
    case overlappingTensors(file: String, first: String, second: String)
    /// More than one module could be the recurrent layers or the head; `option` names the
    /// `load model` word that chooses one.
    case ambiguousModule(file: String, role: String, option: String, candidates: [String])
    /// A module named on the command line that the file does not hold.
    case noSuchModule(file: String, module: String, role: String, candidates: [String])
    /// A PyTorch pickle (`.pt`, `.pth`, `.ckpt`), which gq never unpickles.
    case pickle(file: String)
    /// A value no model can hold: NaN or infinite, or a standardisation scale that is not positive.
    case badValue(file: String, tensor: String, index: Int, value: Float, expected: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the file (\(reason))"
        case let .truncated(file, size):
            return "\(file): truncated: \(size) bytes, but a safetensors file starts with an 8-byte header length; is this a safetensors file?"
        case let .headerLengthPastEnd(file, headerLength, fileSize):
            return "\(file): header length \(headerLength) bytes runs past the end of the \(fileSize)-byte file; the file is truncated or not safetensors"
        case let .unusedTensors(file, tensors, meaning):
            let shown = tensors.prefix(4).map { "'\($0)'" }.joined(separator: ", ") + (tensors.count > 4 ? " and \(tensors.count - 4) more" : "")
            return "\(file) holds \(meaning) (\(shown)); gq runs unidirectional GRU or LSTM layers with a linear head, so it does not load this model"
        case let .malformedHeader(file, reason):
            return "\(file): malformed safetensors header: \(reason)"
        case let .wrongDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype); expected a float tensor (F32, F64, F16 or BF16)"
        case let .wrongShape(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has shape \(Self.shape(found)), expected \(Self.shape(expected))"
        case let .missingTensor(file, tensor):
            return "\(file): missing tensor '\(tensor)'; a GRU model needs gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0, fc.weight and fc.bias"
        case let .offsetsOutOfRange(file, tensor, begin, end, dataSize):
            return "\(file): tensor '\(tensor)' has data offsets [\(begin), \(end)) that do not fit its shape or the \(dataSize)-byte data section; the file is damaged"
        case let .overlappingTensors(file, first, second):
            return "\(file): tensors '\(first)' and '\(second)' have overlapping data offsets; each tensor needs its own bytes, so the file is damaged or crafted"
        case let .ambiguousModule(file, role, option, candidates):
            return "\(file): more than one module could be the \(role): \(candidates.joined(separator: ", ")); say which with 'load model \(Self.shellWord(file)) \(option) NAME'"
        case let .noSuchModule(file, module, role, candidates):
            let list = candidates.isEmpty ? "none fits" : "candidates: " + candidates.map { $0.isEmpty ? "'' (the top level)" : "'\($0)'" }.joined(separator: ", ")
            return "\(file) has no module '\(module)' that could be the \(role) (\(list))"
        case let .pickle(file):
            let target = (file as NSString).deletingPathExtension + ".safetensors"
            let script = "import sys, torch, safetensors.torch as st; d = torch.load(sys.argv[1], map_location='cpu'); d = d.get('state_dict', d); "
                + "st.save_file({k: v.contiguous() for k, v in d.items()}, sys.argv[2])"
            return "\(file) is a PyTorch pickle, which gq never loads (unpickling runs whatever code the file holds); convert its state_dict to safetensors with: "
                + "python3 -c \"\(script)\" \(Self.shellWord(file)) \(Self.shellWord(target))"
        case let .badValue(file, tensor, index, value, expected):
            return "\(file): tensor '\(tensor)' holds \(value) at index \(index); expected \(expected)"
        case let .writeFailed(file, reason):
            return "\(file): cannot write the model (\(reason)); nothing was changed"
        }
    }

    /// A path as one shell word: as it is when plain, else in single quotes.
    static func shellWord(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func shape(_ dims: [Int]) -> String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}
