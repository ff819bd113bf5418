import Foundation
import GRU
import Testing

/// PyTorch models come with whatever module names their authors chose: gq finds the
/// recurrent layers and the head by the shapes and roles of their tensors (issue 24).
@Suite("Model files under any module names")
struct ModelNamesTests {
    /// `model`'s tensors with `gru.`/`lstm.` and `fc.` renamed.
    static func renamed(_ model: GRUClassifier, recurrent: String, head: String) -> [String: SafeTensors.Tensor] {
        var tensors: [String: SafeTensors.Tensor] = [:]
        for (name, tensor) in model.archive().tensors {
            let prefix = model.cell.moduleName + "."
            if name.hasPrefix(prefix) {
                let rest = String(name.dropFirst(prefix.count))
                tensors[recurrent.isEmpty ? rest : recurrent + "." + rest] = tensor
            } else if name.hasPrefix("fc.") {
                let rest = String(name.dropFirst(3))
                tensors[head.isEmpty ? rest : head + "." + rest] = tensor
            } else {
                tensors[name] = tensor
            }
        }
        return tensors
    }

    @Test("a GRU stack named 'rnn' with a head named 'classifier' loads as the same model, and the note says what matched", arguments: [CellKind.gru, .lstm])
    func renamedModules(cell: CellKind) throws {
        let model = GRUClassifier(inputSize: 3, hiddenSize: 5, classCount: 4, layers: 2, cell: cell, seed: 7)
        for (recurrent, head) in [("rnn", "classifier"), ("encoder.gru", "head.out"), ("", "fc")] {
            let tensors = Self.renamed(model, recurrent: recurrent, head: head)
            let found = try ModelTensorNames.find(in: tensors, file: "m.safetensors")
            #expect(found.names == ModelTensorNames(recurrent: recurrent, head: head))
            #expect(found.cell == cell)
            let shownModule = recurrent.isEmpty ? "the unnamed top-level module" : "'\(recurrent)'"
            #expect(found.note == "recurrent layers from \(shownModule) (\(cell.withArticle), by its gate blocks), head from '\(head)'")
            #expect(try GRUClassifier(archive: SafeTensors.Archive(tensors: tensors), file: "m.safetensors") == model)
        }
        let own = try ModelTensorNames.find(in: model.archive().tensors, file: "m.safetensors")
        #expect(own.note == nil && own.names == .standard(cell))
    }

    @Test("the cell follows the gate blocks, not the module's name")
    func cellByShape() throws {
        let lstm = GRUClassifier(inputSize: 3, hiddenSize: 5, classCount: 4, cell: .lstm, seed: 1)
        let tensors = Self.renamed(lstm, recurrent: "gru", head: "fc")
        #expect(try GRUClassifier(archive: SafeTensors.Archive(tensors: tensors), file: "m.safetensors") == lstm)
    }

    @Test("two modules that could be the head are named, and 'fc NAME' chooses one; the other is then refused by name, never dropped")
    func twoHeads() throws {
        let model = GRUClassifier(inputSize: 3, hiddenSize: 5, classCount: 4, seed: 2)
        var tensors = Self.renamed(model, recurrent: "rnn", head: "fc")
        tensors["aux.weight"] = SafeTensors.Tensor(shape: [2, 5], values: [Float](repeating: 0.5, count: 10))
        tensors["aux.bias"] = SafeTensors.Tensor(shape: [2], values: [0, 0])
        expectError(.ambiguousModule(file: "m.safetensors", role: "head", option: "fc", candidates: ["'aux' (2 classes)", "'fc' (4 classes)"])) {
            _ = try ModelTensorNames.find(in: tensors, file: "m.safetensors")
        }
        #expect(SafeTensorsError.ambiguousModule(file: "d/m.safetensors", role: "head", option: "fc", candidates: ["'aux' (2 classes)"]).description
            == "d/m.safetensors: more than one module could be the head: 'aux' (2 classes); say which with 'load model d/m.safetensors fc NAME'")
        let chosen = try ModelTensorNames.find(in: tensors, file: "m.safetensors", head: "fc")
        #expect(chosen.names == ModelTensorNames(recurrent: "rnn", head: "fc"))
        // The other module may be a projection the head reads: the file is refused, naming it.
        do {
            _ = try GRUClassifier(archive: SafeTensors.Archive(tensors: tensors), file: "m.safetensors", recurrent: nil, head: "fc")
            Issue.record("a model with a module gq would leave out loaded")
        } catch let error as SafeTensorsError {
            #expect(error.description.contains("'aux.bias', 'aux.weight'"))
        }
        expectError(.noSuchModule(file: "m.safetensors", module: "out", role: "head", candidates: ["aux", "fc"])) {
            _ = try ModelTensorNames.find(in: tensors, file: "m.safetensors", head: "out")
        }
    }

    @Test("two recurrent modules are named, and 'gru NAME' chooses; the other is then refused as a second recurrent module")
    func twoRecurrentModules() throws {
        let model = GRUClassifier(inputSize: 3, hiddenSize: 5, classCount: 4, seed: 3)
        var tensors = Self.renamed(model, recurrent: "encoder", head: "fc")
        for (name, tensor) in Self.renamed(model, recurrent: "decoder", head: "fc") where name.hasPrefix("decoder.") {
            tensors[name] = tensor
        }
        expectError(.ambiguousModule(file: "m.safetensors", role: "recurrent layers", option: "gru", candidates: ["'decoder' (GRU)", "'encoder' (GRU)"])) {
            _ = try ModelTensorNames.find(in: tensors, file: "m.safetensors")
        }
        do {
            _ = try GRUClassifier(archive: SafeTensors.Archive(tensors: tensors), file: "m.safetensors", recurrent: "encoder", head: nil)
            Issue.record("a model with a second recurrent module loaded")
        } catch let error as SafeTensorsError {
            #expect(error.description.contains("a second recurrent module beside 'encoder'"))
        }
    }

    @Test("a PyTorch pickle is refused with the command that converts it, and never read further")
    func pickles() throws {
        // torch.save's zip: the first member is ARCHIVE/data.pkl.
        let name = Array("model/data.pkl".utf8)
        let zip = Data([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 22) + [UInt8(name.count), 0, 0, 0] + name + [UInt8](repeating: 0, count: 20))
        let legacy = Data([0x80, 0x02, 0x8A, 0x0A] + [UInt8](repeating: 0, count: 60))
        for bytes in [zip, legacy] {
            expectError(.pickle(file: "dir/model.pt")) { _ = try SafeTensors.decode(bytes, file: "dir/model.pt") }
        }
        #expect(SafeTensorsError.pickle(file: "dir/it's.pt").description.hasSuffix(
            #"python3 -c "import sys, torch, safetensors.torch as st; d = torch.load(sys.argv[1], map_location='cpu'); d = d.get('state_dict', d); st.save_file({k: v.contiguous() for k, v in d.items()}, sys.argv[2])" 'dir/it'\''s.pt' 'dir/it'\''s.safetensors'"#))
        // Any other zip (an .npz, a .keras file) is not called a pickle.
        let npz = Data([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 22) + [5, 0, 0, 0] + Array("X.npy".utf8) + [UInt8](repeating: 0, count: 20))
        #expect(!SafeTensors.isPickle([UInt8](npz)))
        #expect(throws: SafeTensorsError.malformedHeader(file: "x.npz", reason: "this is a zip archive (an .npz or .keras file?), not a safetensors file")) {
            _ = try SafeTensors.decode(npz, file: "x.npz")
        }
        // A safetensors header of 640 bytes starts 0x80 0x02 too: its '{' after 8 bytes tells them apart.
        let model = GRUClassifier(inputSize: 2, hiddenSize: 3, classCount: 2, seed: 1)
        #expect(!SafeTensors.isPickle([UInt8](SafeTensors.encode(model.archive()))))
        #expect(!SafeTensors.isPickle([UInt8](rawFile(header: "{" + String(repeating: " ", count: 639)))))
    }
}

extension GRUClassifier {
    init(archive: SafeTensors.Archive, file: String, recurrent: String?, head: String?) throws {
        let found = try ModelTensorNames.find(in: archive.tensors, file: file, recurrent: recurrent, head: head)
        try self.init(archive: archive, file: file, names: found.names, cell: found.cell)
    }
}
