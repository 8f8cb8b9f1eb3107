// nn.search: random search over hyperparameters and the samplers that define
// its space. search.ts's sample(space, rng) is how randomSearch draws a trial;
// it takes the internal generator, so it is not part of the public namespace.

export {
  randomSearch, logUniform, uniform, intRange, choice,
  type RandomSearchOptions, type SearchResult, type Trial, type TrialContext, type TrialPlan, type Sampler, type Space, type Params,
} from '../tools/search';
