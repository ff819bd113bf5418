import Datasets
import GRU

/// `eval`: the current model's accuracy on validation and test.
enum EvalCommand {
    static var commands: [Command] {
        [
            Command(
                name: "eval", usage: "eval",
                summary: "Measure the model's validation and test accuracy",
                details: "Prints float accuracy on the validation split (used for every choice gq makes) and the test split (reported only). Sets the variables accuracy and test_accuracy (the evaluated model's), float_accuracy and float_test_accuracy, all as fractions from 0 to 1.",
                examples: ["eval", "eval; assert accuracy >= 0.95"],
                run: { interpreter, arguments in
                    try arguments.expectCount(0...0, usage: "eval")
                    let session = interpreter.session
                    let task = try session.requireTask()
                    let model = try session.requireModel()
                    guard model.inputSize == task.featureCount, model.classCount == task.classCount else {
                        throw CommandError("the model (\(model.inputSize) features, \(model.classCount) classes) does not fit task \(task.name) (\(task.featureCount) features, \(task.classCount) classes)")
                    }
                    let validation = model.accuracy(task.validation.sequences, labels: task.validation.labels)
                    let test = model.accuracy(task.test.sequences, labels: task.test.labels)
                    session.io.out("float     validation \(percent(validation))   test \(percent(test))")
                    for (name, value) in [("accuracy", validation), ("test_accuracy", test),
                                          ("float_accuracy", validation), ("float_test_accuracy", test)] {
                        session.variables[name] = .number(value)
                    }
                }
            ),
        ]
    }
}
