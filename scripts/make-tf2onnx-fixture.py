#!/usr/bin/env python3
"""Writes Tests/ONNXTests/Fixtures/tf2onnx-keras-lstm.{onnx,json}: a Keras LSTM(6) + Dense(4)
on 8 features, converted by tf2onnx (opset 17), and one 5-step input with Keras's logits.
Needs tensorflow-cpu, tf2onnx and onnx (none is a dependency of gq or its tests).

    python3 scripts/make-tf2onnx-fixture.py
"""
import json
import pathlib

import numpy as np
import tensorflow as tf
import tf2onnx

out = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "ONNXTests" / "Fixtures"
tf.random.set_seed(0)
inputs = tf.keras.Input(shape=(None, 8))
model = tf.keras.Model(inputs, tf.keras.layers.Dense(4)(tf.keras.layers.LSTM(6)(inputs)))
spec = (tf.TensorSpec((None, None, 8), tf.float32, name="x"),)
tf2onnx.convert.from_keras(model, input_signature=spec, opset=17, output_path=str(out / "tf2onnx-keras-lstm.onnx"))
x = np.random.RandomState(0).randn(1, 5, 8).astype(np.float32)
json.dump({"sequence": [float(v) for v in x.reshape(-1)], "logits": [float(v) for v in model(x).numpy()[0]]},
          open(out / "tf2onnx-keras-lstm.json", "w"))
