/**
 * Vision for notebook 01: HvM-like core-object-recognition stimuli (Yamins et al. 2014; Majaj, Hong et al. 2015),
 * the image set behind Brain-Score's MajajHong2015 benchmarks (Schrimpf et al. 2020). Notebooks import this file
 * (`./lib/vision`); the parts live in lib/vision/.
 */
export {
  CATEGORIES, OBJECTS_PER_CATEGORY, VARIATION_LEVELS, VARIATION_RANGES, CANONICAL_POSE, objectModels, renderObject,
  texturedBackground, samplePose, generateStimuli, figureOnly, stimulusImage, stimulusInfo, stimulusMosaic, stimulusGalleryFigure,
  greyPng,
} from "./vision/stimuli";
export type {
  Category, VariationLevel, VariationRange, PrimitiveKind, Part, ObjectModel, Pose, RenderOptions, StimulusMeta,
  StimulusSet, StimulusOptions, GalleryOptions,
} from "./vision/stimuli";
