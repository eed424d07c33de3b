import { getMetadataStorage, MetadataStorage } from 'class-validator';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type ByProperty = ReturnType<MetadataStorage['groupByPropertyName']>;

const REMEMBERING = Symbol('remembering validation metadata');

/**
 * class-validator looks up a class's rules again for every object it validates, nested ones
 * included, and finds inherited rules by testing the class against every registered class
 * (typestack/class-validator#2686): the largest part of validating a sale body. Rules are
 * registered when a class is declared, so the answer for a class only changes when a rule is
 * added; from now on the storage remembers its answers and forgets them all when one is.
 * Idempotent.
 */
export function rememberValidationMetadata(
  storage: MetadataStorage & { [REMEMBERING]?: true } = getMetadataStorage(),
): void {
  if (storage[REMEMBERING]) return;
  storage[REMEMBERING] = true;
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let rulesOf = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  let byPropertyOf = new WeakMap<ValidationMetadata[], ByProperty>();

  storage.addValidationMetadata = (metadata) => {
    rulesOf = new WeakMap();
    byPropertyOf = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const options = JSON.stringify([schema, always, strictGroups, groups]);
    let answers = rulesOf.get(target);
    if (!answers) rulesOf.set(target, (answers = new Map()));
    let rules = answers.get(options);
    if (!rules)
      answers.set(options, (rules = lookUp(target, schema, always, strictGroups, groups)));
    return rules;
  };
  storage.groupByPropertyName = (rules) => {
    let byProperty = byPropertyOf.get(rules);
    if (!byProperty) byPropertyOf.set(rules, (byProperty = group(rules)));
    return byProperty;
  };
}
