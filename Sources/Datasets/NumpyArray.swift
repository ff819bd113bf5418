import Foundation

/// One array read from NumPy's `.npy` format (versions 1–3): shape and values in C order.
public struct NumpyArray: Sendable, Equatable {
    /// Numeric arrays are widened to Double (exact for every int32 and float label);
    /// unicode and byte-string arrays become Swift strings.
    public enum Values: Sendable, Equatable {
        case numbers([Double])
        case strings([String])
    }

    public var shape: [Int]
    /// The NumPy type string, e.g. `<f4`.
    public var dtype: String
    public var values: Values

    public var count: Int { shape.reduce(1, *) }

    /// Parses `.npy` bytes; `file` and `name` say where they came from in errors.
    public static func parse(_ data: Data, file: String, name: String) throws(DatasetError) -> NumpyArray {
        let place = FileLocation(file: file, array: name)
        let view = ByteView(bytes: [UInt8](data))
        let layout = try Layout(view, place: place)
        guard let body = view.slice(layout.dataStart, layout.dataBytes) else {
            let present = max(0, view.count - layout.dataStart)
            throw .malformed(place, problem: "data ends early: shape \(layout.shape) of \(layout.dtype) needs \(layout.dataBytes) bytes, file has \(present) (truncated?)")
        }
        try FileInput.checkRoom(values: layout.dataBytes / layout.type.size, at: place)
        var values = layout.type.decode(Array(body), count: layout.dataBytes / layout.type.size)
        if layout.fortran, layout.shape.count > 1 { values = values.reordered(fromFortran: layout.shape) }
        return NumpyArray(shape: layout.shape, dtype: layout.dtype, values: values)
    }

    /// The bytes a whole `.npy` file with this beginning holds (header and data), read from
    /// its header alone: the bound an `.npz` member may inflate to.
    public static func declaredSize(ofFileStartingWith prefix: Data, file: String, name: String) throws(DatasetError) -> Int {
        let layout = try Layout(ByteView(bytes: [UInt8](prefix)), place: FileLocation(file: file, array: name))
        let (total, overflow) = layout.dataStart.addingReportingOverflow(layout.dataBytes)
        guard !overflow else {
            throw .malformed(FileLocation(file: file, array: name), problem: "shape \(layout.shape) is impossibly large (corrupt header?)")
        }
        return total
    }

    /// What a `.npy` header says: the element type, the shape, and where the data starts.
    fileprivate struct Layout {
        var dtype: String
        var type: ElementType
        var fortran: Bool
        var shape: [Int]
        var dataStart: Int
        var dataBytes: Int

        init(_ view: ByteView, place: FileLocation) throws(DatasetError) {
            guard let magic = view.slice(0, 6), Array(magic) == [0x93] + Array("NUMPY".utf8) else {
                throw .malformed(place, problem: "not a .npy array (bad magic bytes)")
            }
            guard let major = view.slice(6, 1)?.first else {
                throw .malformed(place, problem: "header is truncated")
            }
            let headerStart = major == 1 ? 10 : 12
            guard let headerLength = major == 1 ? view.u16(8) : view.u32(8),
                  let headerBytes = view.slice(headerStart, headerLength) else {
                throw .malformed(place, problem: "header is truncated")
            }
            let header = String(decoding: headerBytes, as: UTF8.self)
            let descr = try NumpyArray.dictionaryValue("descr", in: header, place: place)
            guard descr.hasPrefix("'") || descr.hasPrefix("\""), descr.count >= 2 else {
                throw .malformed(place, problem: "structured dtype \(descr) is not supported; save plain arrays")
            }
            dtype = String(descr.dropFirst().dropLast())
            fortran = try NumpyArray.dictionaryValue("fortran_order", in: header, place: place) == "True"
            let shapeText = try NumpyArray.dictionaryValue("shape", in: header, place: place)
            shape = []
            for part in shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()")).split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                guard let dimension = Int(trimmed), dimension >= 0 else {
                    throw .malformed(place, problem: "bad shape \(shapeText)")
                }
                shape.append(dimension)
            }
            type = try ElementType(dtype, place: place)
            guard let needed = ByteView.byteCount(shape: shape, itemSize: type.size) else {
                throw .malformed(place, problem: "shape \(shape) is impossibly large (corrupt header?)")
            }
            dataBytes = needed
            dataStart = headerStart + headerLength
        }
    }

    /// The text of one value in NumPy's header dict (a Python literal).
    fileprivate static func dictionaryValue(_ key: String, in header: String, place: FileLocation) throws(DatasetError) -> String {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\""),
              let colon = header[keyRange.upperBound...].firstIndex(of: ":") else {
            throw .malformed(place, problem: "header has no '\(key)'")
        }
        var rest = header[header.index(after: colon)...].drop { $0 == " " }
        if rest.first == "(" || rest.first == "[" {
            let close: Character = rest.first == "(" ? ")" : "]"
            if let end = rest.firstIndex(of: close) { rest = rest[...end] }
        } else if let quote = rest.first, quote == "'" || quote == "\"" {
            if let end = rest.dropFirst().firstIndex(of: quote) { rest = rest[...end] }
        } else if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) {
            rest = rest[..<end]
        }
        return String(rest).trimmingCharacters(in: .whitespaces)
    }

    fileprivate struct ElementType {
        enum Kind { case float, signed, unsigned, bool, unicode, bytes }
        let kind: Kind
        let size: Int
        let bigEndian: Bool

        init(_ dtype: String, place: FileLocation) throws(DatasetError) {
            var text = Substring(dtype)
            var big = false
            if let order = text.first, "<>|=".contains(order) {
                big = order == ">"
                text = text.dropFirst()
            }
            if text.first == "O" {
                throw .malformed(place, problem: "object arrays are pickled Python objects, which gq never unpickles; save a numeric or string array")
            }
            guard let code = text.first, let size = Int(text.dropFirst()), size > 0 else {
                throw .malformed(place, problem: "unknown dtype '\(dtype)'")
            }
            // A string item wider than a megabyte is no label; the bound also keeps size · 4 and
            // the byte count below from overflowing.
            guard size <= 1 << 20 else {
                throw .malformed(place, problem: "dtype '\(dtype)' has items of \(size) characters; gq reads at most \(1 << 20)")
            }
            switch (code, size) {
            case ("f", 4), ("f", 8): kind = .float
            case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
            case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
            case ("b", 1): kind = .bool
            case ("U", _): kind = .unicode
            case ("S", _): kind = .bytes
            default:
                throw .malformed(place, problem: "dtype '\(dtype)' is not supported (float32/64, int and uint 8–64, bool, unicode)")
            }
            self.size = kind == .unicode ? size * 4 : size
            bigEndian = big
        }

        func decode(_ bytes: [UInt8], count: Int) -> Values {
            let view = ByteView(bytes: bytes)
            switch kind {
            case .unicode, .bytes:
                var strings: [String] = []
                strings.reserveCapacity(count)
                for index in 0 ..< count {
                    let item = bytes[index * size ..< (index + 1) * size]
                    if kind == .bytes {
                        strings.append(String(decoding: item.prefix { $0 != 0 }, as: UTF8.self))
                    } else {
                        var scalars = String.UnicodeScalarView()
                        for offset in stride(from: index * size, to: (index + 1) * size, by: 4) {
                            let raw = (bigEndian ? view.bigEndian(at: offset, width: 4) : view.littleEndian(at: offset, width: 4)) ?? 0
                            guard raw != 0, let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: raw)) else { break }
                            scalars.append(scalar)
                        }
                        strings.append(String(scalars))
                    }
                }
                return .strings(strings)
            default:
                var numbers = [Double](repeating: 0, count: count)
                for index in 0 ..< count {
                    let raw = (bigEndian ? view.bigEndian(at: index * size, width: size)
                                         : view.littleEndian(at: index * size, width: size)) ?? 0
                    switch (kind, size) {
                    case (.float, 4): numbers[index] = Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
                    case (.float, _): numbers[index] = Double(bitPattern: raw)
                    case (.signed, _):
                        let shift = UInt64(64 - 8 * size)
                        numbers[index] = Double(Int64(bitPattern: raw << shift) >> Int64(shift))
                    default: numbers[index] = Double(raw)
                    }
                }
                return .numbers(numbers)
            }
        }
    }
}

private extension NumpyArray.Values {
    /// Fortran (column-major) order to C (row-major) order.
    func reordered(fromFortran shape: [Int]) -> Self {
        let count = shape.reduce(1, *)
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in 1 ..< shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var source = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for position in 0 ..< count {
            var offset = 0
            for axis in shape.indices { offset += index[axis] * fortranStrides[axis] }
            source[position] = offset
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        switch self {
        case .numbers(let values): return .numbers(source.map { values[$0] })
        case .strings(let values): return .strings(source.map { values[$0] })
        }
    }
}
