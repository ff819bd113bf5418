/// Where a safetensors file keeps the recurrent layers and the linear head: module paths as
/// a PyTorch `state_dict` names them (`gru`, `rnn`, `encoder.gru`, `classifier`), or "" for
/// a module saved on its own. gq writes `gru`/`lstm` and `fc`; it reads any names, finding
/// the modules by the shapes and roles of their tensors (`find`).
public struct ModelTensorNames: Equatable, Sendable {
    public var recurrent: String
    public var head: String

    public init(recurrent: String, head: String) {
        self.recurrent = recurrent
        self.head = head
    }

    /// The names gq writes.
    public static func standard(_ cell: CellKind) -> ModelTensorNames {
        ModelTensorNames(recurrent: cell.moduleName, head: "fc")
    }

    static func path(_ module: String, _ tensor: String) -> String { module.isEmpty ? tensor : module + "." + tensor }

    public func weightIH(_ k: Int) -> String { Self.path(recurrent, "weight_ih_l\(k)") }
    public func weightHH(_ k: Int) -> String { Self.path(recurrent, "weight_hh_l\(k)") }
    public func biasIH(_ k: Int) -> String { Self.path(recurrent, "bias_ih_l\(k)") }
    public func biasHH(_ k: Int) -> String { Self.path(recurrent, "bias_hh_l\(k)") }
    /// Layer k's four tensors, in `ParameterLayout` order.
    public func layer(_ k: Int) -> [String] { [weightIH(k), weightHH(k), biasIH(k), biasHH(k)] }
    public var headWeight: String { Self.path(head, "weight") }
    public var headBias: String { Self.path(head, "bias") }

    /// A module as a person reads it: `'rnn'`, or "the file's top level" for "".
    static func shown(_ module: String) -> String { module.isEmpty ? "the unnamed top-level module" : "'\(module)'" }

    /// The recurrent module and head of `tensors`, by shape: a recurrent module is one with a
    /// `weight_hh_l0` of 3H × H (a GRU) or 4H × H (an LSTM) rows; the head, a module with a
    /// `weight` of C × H and a `bias` of C. `recurrent` and `head` name them where the file
    /// holds more than one candidate (or to override the search). Returns the names, the
    /// cell, and a note saying what was matched when the names are not gq's own.
    public static func find(in tensors: [String: SafeTensors.Tensor], file: String,
                            recurrent wanted: String? = nil, head wantedHead: String? = nil) throws -> (names: ModelTensorNames, cell: CellKind, note: String?) {
        func cell(_ module: String) -> CellKind {
            let shape = tensors[path(module, "weight_hh_l0")]?.shape ?? []
            return shape.count == 2 && shape[1] > 0 && shape[0] == 4 * shape[1] ? .lstm : .gru
        }
        let suffix = "weight_hh_l0"
        let modules = tensors.keys.compactMap { name -> String? in
            if name == suffix { return "" }
            return name.hasSuffix("." + suffix) ? String(name.dropLast(suffix.count + 1)) : nil
        }.sorted()
        let module: String
        if let wanted {
            guard modules.contains(wanted) else {
                throw SafeTensorsError.noSuchModule(file: file, module: wanted, role: "recurrent layers", candidates: modules)
            }
            module = wanted
        } else if modules.count > 1 {
            throw SafeTensorsError.ambiguousModule(file: file, role: "recurrent layers", option: "gru",
                                                   candidates: modules.map { "\(shown($0)) (\(cell($0).displayName))" })
        } else if let only = modules.first {
            module = only
        } else {
            // No recurrent weights at all: gq's own names, so the error says which tensor is missing.
            return (.standard(.gru), .gru, nil)
        }
        let kind = cell(module)
        let hidden = tensors[path(module, suffix)]?.shape.last ?? 0
        let heads = tensors.keys.compactMap { name -> String? in
            let head: String
            if name == "weight" { head = "" } else if name.hasSuffix(".weight") { head = String(name.dropLast(7)) } else { return nil }
            guard let weight = tensors[name], weight.shape.count == 2, weight.shape[1] == hidden, weight.shape[0] > 0,
                  tensors[path(head, "bias")]?.shape == [weight.shape[0]] else { return nil }
            return head
        }.sorted()
        let head: String
        if let wantedHead {
            guard tensors[path(wantedHead, "weight")] != nil else {
                throw SafeTensorsError.noSuchModule(file: file, module: wantedHead, role: "head", candidates: heads)
            }
            head = wantedHead
        } else if heads.count > 1 {
            throw SafeTensorsError.ambiguousModule(file: file, role: "head", option: "fc",
                                                   candidates: heads.map { "\(shown($0)) (\(tensors[path($0, "weight")]?.shape.first ?? 0) classes)" })
        } else {
            // None that fits: gq's own name, so the error names the tensor it expected.
            head = heads.first ?? "fc"
        }
        // Another module of the same shape stays in the file: it may be a projection the
        // head reads, so the model without it could be another model; it is refused as unused.
        let names = ModelTensorNames(recurrent: module, head: head)
        let note = names == .standard(kind) ? nil
            : "recurrent layers from \(shown(module)) (\(kind.withArticle), by its gate blocks), head from \(shown(head))"
        return (names, kind, note)
    }
}
