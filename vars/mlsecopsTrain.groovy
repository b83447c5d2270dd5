import org.mlsecops.StepParams

/**
 * Stage 5: train the model of train.kind (keras-text, sklearn, command, pretrained, none) into
 * .mlsecops/train/ (every kind writes only there, so the one stash mlsecops-train carries any
 * model to evaluate, modeltest, the model gate and sign); on a GPU agent when gpu is true.
 * See mlsecopsTrain.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [:] // train has no parameters of its own
    StepParams.check(this, 'mlsecopsTrain', params, defaults)
    mlsecopsWorker(params + [step: 'mlsecopsTrain', stage: 'train', command: ['train']])
}
