import org.mlsecops.StepParams

/**
 * Stage 5: train the model (Keras, stratified K-fold, fixed seeds) into .mlsecops/train/;
 * on a GPU agent when gpu is true.
 * See mlsecopsTrain.txt.
 */
void call(Map params = [:]) {
    Map defaults = StepParams.COMMON + [:] // train has no parameters of its own
    StepParams.check(this, 'mlsecopsTrain', params, defaults)
    mlsecopsWorker(params + [step: 'mlsecopsTrain', stage: 'train', command: ['train']])
}
