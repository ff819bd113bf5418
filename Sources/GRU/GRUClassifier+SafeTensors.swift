import Foundation

/// Tensor names in files, PyTorch's for the network and gq's own for the standardisation.
public enum GRUTensorName {
    /// `nn.GRU`/`nn.LSTM` input-to-hidden weights of layer k, (G × F) for the first layer, (G × H) above it.
    public static func weightIH(_ k: Int, cell: CellKind = .gru) -> String { ModelTensorNames.standard(cell).weightIH(k) }
    /// Hidden-to-hidden weights of layer k, (G × H).
    public static func weightHH(_ k: Int, cell: CellKind = .gru) -> String { ModelTensorNames.standard(cell).weightHH(k) }
    /// Input-to-hidden bias of layer k, (G).
    public static func biasIH(_ k: Int, cell: CellKind = .gru) -> String { ModelTensorNames.standard(cell).biasIH(k) }
    /// Hidden-to-hidden bias of layer k, (G).
    public static func biasHH(_ k: Int, cell: CellKind = .gru) -> String { ModelTensorNames.standard(cell).biasHH(k) }
    /// Layer k's four tensors, in `ParameterLayout` order.
    public static func layer(_ k: Int, cell: CellKind = .gru) -> [String] { ModelTensorNames.standard(cell).layer(k) }
    /// The first GRU layer's, which every GRU model has.
    public static let weightIH = weightIH(0)
    public static let weightHH = weightHH(0)
    public static let biasIH = biasIH(0)
    public static let biasHH = biasHH(0)
    /// `nn.Linear` head weights, (C × H).
    public static let fcWeight = ModelTensorNames.standard(.gru).headWeight
    /// `nn.Linear` head bias, (C).
    public static let fcBias = ModelTensorNames.standard(.gru).headBias
    /// gq's input standardisation mean, (F); absent in plain PyTorch exports.
    public static let inputMean = "input.mean"
    /// gq's input standardisation scale, (F); absent in plain PyTorch exports.
    public static let inputScale = "input.scale"
    /// Metadata keys of `GRUClassifier.heldOut` (a refit model's pre-refit validation scores).
    public static let heldOutLoss = "gq.held_out_loss"
    public static let heldOutAccuracy = "gq.held_out_accuracy"
    public static let heldOutSequences = "gq.held_out_sequences"
    /// Optional beside the other three: files written before it have none.
    public static let heldOutEpoch = "gq.held_out_epoch"
}

extension GRUClassifier {
    /// Loads a model saved by gq or by `safetensors.torch.save_file` from a PyTorch
    /// `nn.GRU` or `nn.LSTM` + `nn.Linear`; sizes are inferred from the tensor shapes.
    public init(contentsOf url: URL) throws {
        self = try GRUClassifier.load(contentsOf: url).model
    }

    /// Loads a model and the file's free-form metadata.
    public static func load(contentsOf url: URL) throws -> (model: GRUClassifier, metadata: [String: String]) {
        let loaded = try load(contentsOf: url, recurrent: nil, head: nil)
        return (loaded.model, loaded.metadata)
    }

    /// Loads a model whose modules may have any names (`ModelTensorNames.find`), with the
    /// file's metadata and a note saying which modules were matched when they are not gq's
    /// own names. `recurrent` and `head` choose modules where the file holds several.
    public static func load(contentsOf url: URL, recurrent: String?, head: String?) throws
        -> (model: GRUClassifier, metadata: [String: String], note: String?) {
        let archive = try SafeTensors.read(contentsOf: url)
        let (names, cell, note) = try ModelTensorNames.find(in: archive.tensors, file: url.path, recurrent: recurrent, head: head)
        return (try GRUClassifier(archive: archive, file: url.path, names: names, cell: cell), archive.metadata, note)
    }

    /// Builds a model from decoded tensors, its modules found by their shapes.
    public init(archive: SafeTensors.Archive, file: String) throws {
        let (names, cell, _) = try ModelTensorNames.find(in: archive.tensors, file: file)
        try self.init(archive: archive, file: file, names: names, cell: cell)
    }

    /// Builds a model from decoded tensors, checking every shape against the others. The
    /// layers are `NAME.*_l0`, `NAME.*_l1`, … as PyTorch names them for `num_layers`.
    public init(archive: SafeTensors.Archive, file: String, names: ModelTensorNames, cell: CellKind) throws {
        // Layers run from l0 up to the first index with no weights at all.
        let layerCount = (0..<GRUClassifier.allowedLayers.upperBound).first { k in
            !names.layer(k).contains { archive.tensors[$0] != nil }
        } ?? GRUClassifier.allowedLayers.upperBound
        var known: Set<String> = [names.headWeight, names.headBias, GRUTensorName.inputMean, GRUTensorName.inputScale]
        for k in 0..<max(layerCount, 1) {
            known.formUnion(names.layer(k))
        }
        let unused = archive.tensors.keys.filter { !known.contains($0) }.sorted()
        if !unused.isEmpty {
            let meaning: String
            if unused.contains(where: { $0.hasSuffix("_reverse") }) {
                // A streaming device sees each sample once, as it arrives: it has no end of the
                // sequence to start a reverse pass from (issue 23, point 4).
                meaning = "a reverse direction (bidirectional=True), which reads each sequence from its end, so a device classifying samples as they arrive cannot run it"
            } else if unused.contains(where: { $0.hasPrefix(ModelTensorNames.path(names.recurrent, "")) && $0.range(of: #"_l[1-9][0-9]*$"#, options: .regularExpression) != nil }) {
                meaning = layerCount == GRUClassifier.allowedLayers.upperBound
                    ? "more than \(GRUClassifier.allowedLayers.upperBound) recurrent layers (num_layers > \(GRUClassifier.allowedLayers.upperBound))"
                    : "a recurrent layer above a missing one"
            } else if unused.contains(where: { $0.range(of: #"(^|\.)weight_hh_l0$"#, options: .regularExpression) != nil }) {
                meaning = "a second recurrent module beside \(ModelTensorNames.shown(names.recurrent)); gq stacks layers of one cell in one module"
            } else {
                meaning = "tensors gq does not use"
            }
            throw SafeTensorsError.unusedTensors(file: file, tensors: unused, meaning: meaning)
        }
        func tensor(_ name: String) throws -> SafeTensors.Tensor {
            guard let t = archive.tensors[name] else { throw SafeTensorsError.missingTensor(file: file, tensor: name) }
            return t
        }
        // Fetched in the order a missing one is reported: the layers bottom up, then the head.
        // A file with no layer at all is missing the first layer's weights.
        let layerTensors = try (0..<max(layerCount, 1)).map { k in
            try names.layer(k).map { (name: $0, tensor: try tensor($0)) }
        }
        let fcw = try tensor(names.headWeight)
        let fcb = try tensor(names.headBias)
        let wih = layerTensors[0][0].tensor, whh = layerTensors[0][1].tensor
        let blocks = cell.gateBlocks
        // The first layer's recurrent weights fix H; everything else is checked against it.
        guard whh.shape.count == 2, whh.shape[0] > 0, whh.shape[0] == blocks * whh.shape[1] else {
            let h = whh.shape.last ?? 0
            throw SafeTensorsError.wrongShape(file: file, tensor: layerTensors[0][1].name, expected: [blocks * max(h, 1), max(h, 1)], found: whh.shape)
        }
        let h = whh.shape[1], g = blocks * h
        guard wih.shape.count == 2, wih.shape[0] == g, wih.shape[1] > 0 else {
            throw SafeTensorsError.wrongShape(file: file, tensor: layerTensors[0][0].name, expected: [g, wih.shape.last ?? 1], found: wih.shape)
        }
        let f = wih.shape[1]
        for (k, tensors) in layerTensors.enumerated() {
            for ((name, t), shape) in zip(tensors, [[g, k == 0 ? f : h], [g, h], [g], [g]]) where t.shape != shape {
                throw SafeTensorsError.wrongShape(file: file, tensor: name, expected: shape, found: t.shape)
            }
        }
        guard fcw.shape.count == 2, fcw.shape[1] == h, fcw.shape[0] > 0 else {
            throw SafeTensorsError.wrongShape(file: file, tensor: names.headWeight, expected: [fcw.shape.first ?? 1, h], found: fcw.shape)
        }
        let c = fcw.shape[0]
        guard fcb.shape == [c] else {
            throw SafeTensorsError.wrongShape(file: file, tensor: names.headBias, expected: [c], found: fcb.shape)
        }
        var standardization: Standardization?
        let mean = archive.tensors[GRUTensorName.inputMean], scale = archive.tensors[GRUTensorName.inputScale]
        switch (mean, scale) {
        case (nil, nil):
            standardization = nil
        case let (mean?, scale?):
            guard mean.shape == [f] else {
                throw SafeTensorsError.wrongShape(file: file, tensor: GRUTensorName.inputMean, expected: [f], found: mean.shape)
            }
            guard scale.shape == [f] else {
                throw SafeTensorsError.wrongShape(file: file, tensor: GRUTensorName.inputScale, expected: [f], found: scale.shape)
            }
            standardization = Standardization(mean: mean.values, scale: scale.values)
        case (nil, _):
            throw SafeTensorsError.missingTensor(file: file, tensor: GRUTensorName.inputMean)
        case (_, nil):
            throw SafeTensorsError.missingTensor(file: file, tensor: GRUTensorName.inputScale)
        }
        for (name, tensor) in layerTensors.flatMap({ $0 }) + [(names.headWeight, fcw), (names.headBias, fcb)] {
            if let index = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw SafeTensorsError.badValue(file: file, tensor: name, index: index, value: tensor.values[index], expected: "finite numbers")
            }
        }
        if let standardization {
            if let index = standardization.mean.firstIndex(where: { !$0.isFinite }) {
                throw SafeTensorsError.badValue(file: file, tensor: GRUTensorName.inputMean, index: index,
                                                value: standardization.mean[index], expected: "finite numbers")
            }
            // Inputs are divided by the scale: 0 or a negative or infinite one is no standardisation.
            if let index = standardization.scale.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw SafeTensorsError.badValue(file: file, tensor: GRUTensorName.inputScale, index: index,
                                                value: standardization.scale[index], expected: "finite positive numbers (the standard deviation of each feature)")
            }
        }
        let layers = layerTensors.map { t in
            GRULayer(weightIH: t[0].tensor.values, weightHH: t[1].tensor.values, biasIH: t[2].tensor.values, biasHH: t[3].tensor.values)
        }
        guard let model = GRUClassifier(inputSize: f, hiddenSize: h, classCount: c, cell: cell, layers: layers,
                                        fcWeight: fcw.values, fcBias: fcb.values, standardization: standardization)
        else {
            // Unreachable after the shape checks above; kept as an error rather than a trap.
            throw SafeTensorsError.malformedHeader(file: file, reason: "inconsistent \(cell.displayName) tensor sizes")
        }
        self = model
        heldOut = try Self.heldOut(archive.metadata, file: file)
    }

    /// The held-out score in a file's metadata: all three keys or none, and the epoch when recorded.
    static func heldOut(_ metadata: [String: String], file: String) throws -> HeldOutScore? {
        let keys = [GRUTensorName.heldOutLoss, GRUTensorName.heldOutAccuracy, GRUTensorName.heldOutSequences]
        let present = keys.filter { metadata[$0] != nil }
        guard !present.isEmpty else { return nil }
        /// `key`'s value read by `parse`, which gives nil for what is not `expected`.
        func value<T>(_ key: String, _ expected: String, _ parse: (String) -> T?) throws -> T {
            guard let text = metadata[key] else {
                throw SafeTensorsError.malformedHeader(file: file, reason: "metadata has \(present.map { "'\($0)'" }.joined(separator: ", ")) but not '\(key)'")
            }
            guard let value = parse(text) else {
                throw SafeTensorsError.malformedHeader(file: file, reason: "metadata '\(key)' is '\(text)', not \(expected)")
            }
            return value
        }
        let loss = try value(GRUTensorName.heldOutLoss, "a non-negative number") { Double($0).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } }
        let accuracy = try value(GRUTensorName.heldOutAccuracy, "a fraction from 0 to 1") { Double($0).flatMap { (0...1).contains($0) ? $0 : nil } }
        let sequences = try value(GRUTensorName.heldOutSequences, "a positive whole number") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
        let epoch = metadata[GRUTensorName.heldOutEpoch] == nil ? nil
            : try value(GRUTensorName.heldOutEpoch, "a positive whole number") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
        return HeldOutScore(loss: loss, accuracy: accuracy, sequences: sequences, epoch: epoch)
    }

    /// The model as named tensors (PyTorch names, plus `input.mean`/`input.scale` when standardised).
    public func archive(metadata: [String: String] = [:]) -> SafeTensors.Archive {
        let g = cell.gateBlocks * hiddenSize
        var tensors: [String: SafeTensors.Tensor] = [
            GRUTensorName.fcWeight: .init(shape: [classCount, hiddenSize], values: fcWeight),
            GRUTensorName.fcBias: .init(shape: [classCount], values: fcBias),
        ]
        for (k, layer) in layers.enumerated() {
            tensors[GRUTensorName.weightIH(k, cell: cell)] = .init(shape: [g, k == 0 ? inputSize : hiddenSize], values: layer.weightIH)
            tensors[GRUTensorName.weightHH(k, cell: cell)] = .init(shape: [g, hiddenSize], values: layer.weightHH)
            tensors[GRUTensorName.biasIH(k, cell: cell)] = .init(shape: [g], values: layer.biasIH)
            tensors[GRUTensorName.biasHH(k, cell: cell)] = .init(shape: [g], values: layer.biasHH)
        }
        if let standardization {
            tensors[GRUTensorName.inputMean] = .init(shape: [inputSize], values: standardization.mean)
            tensors[GRUTensorName.inputScale] = .init(shape: [inputSize], values: standardization.scale)
        }
        var metadata = metadata
        // A score that is not finite (a diverged run) says nothing; it is left out rather than
        // written as a file the reader refuses.
        if let heldOut, heldOut.loss.isFinite, heldOut.accuracy.isFinite {
            metadata[GRUTensorName.heldOutLoss] = "\(heldOut.loss)"
            metadata[GRUTensorName.heldOutAccuracy] = "\(heldOut.accuracy)"
            metadata[GRUTensorName.heldOutSequences] = "\(heldOut.sequences)"
            if let epoch = heldOut.epoch { metadata[GRUTensorName.heldOutEpoch] = "\(epoch)" }
        }
        return SafeTensors.Archive(tensors: tensors, metadata: metadata)
    }

    /// Saves the model atomically (temporary file, then rename) with optional metadata.
    public func write(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(archive(metadata: metadata), to: url)
    }
}
