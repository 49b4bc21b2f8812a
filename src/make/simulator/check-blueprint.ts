// Before any run: everything the blueprint uses must be something the simulator models. Names
// what is not (modules, IML functions and keywords, filter operators, module options), all at once.

import type { MakeModule } from '../blueprint-types';
import { isModelledOperator } from './filters';
import { isModelledFunction, isModelledKeyword } from './iml/evaluate';
import { formulaNames } from './iml/template';
import { DIRECTIVES, ROUTER } from './modules/builtin';
import { MODULES } from './modules';
import { own } from './own';
import type { SimulatorServices } from './registry';

export function unsupportedIn(flow: MakeModule[], services: SimulatorServices): string[] {
  const problems = new Set<string>();
  const visit = (modules: MakeModule[], where: 'main' | 'route' | 'onerror'): void => {
    modules.forEach((module, index) => {
      const directive = own(DIRECTIVES, module.module);
      if (directive !== undefined) {
        if (where !== 'onerror' || index !== modules.length - 1) {
          problems.add(
            `${module.module} outside the end of an error handler route (module ${module.id})`,
          );
        }
      } else if (module.module === ROUTER) {
        if (where === 'onerror')
          problems.add(`a router inside an error handler route (module ${module.id})`);
      } else {
        const handler = own(MODULES, module.module);
        if (handler === undefined) problems.add(`module "${module.module}"`);
        else {
          if (handler.trigger === true && !(where === 'main' && index === 0)) {
            problems.add(`${module.module} anywhere but first (module ${module.id})`);
          }
          for (const problem of handler.check?.(module, services) ?? []) problems.add(problem);
        }
      }
      for (const condition of module.filter?.conditions.flat() ?? []) {
        if (!isModelledOperator(condition.o)) problems.add(`filter operator "${condition.o}"`);
      }
      const names = formulaNames([module.mapper, module.filter]);
      for (const name of names.functions) {
        if (!isModelledFunction(name)) problems.add(`IML function "${name}"`);
      }
      for (const name of names.keywords) {
        if (!isModelledKeyword(name)) problems.add(`IML keyword "${name}"`);
      }
      for (const route of module.routes ?? []) visit(route.flow, 'route');
      if (module.onerror !== undefined) visit(module.onerror, 'onerror');
    });
  };
  visit(flow, 'main');
  return [...problems];
}
