import type { MakeModule } from './blueprint-types';

const COLUMN = 300;
const ROW = 300;
// Error handlers hang below the module they guard, between two rows.
const HANDLER_OFFSET = 150;

/**
 * Places modules left to right, each router's routes stacked below one another, so the imported
 * scenario is readable without dragging anything. Returns the number of rows the flow used.
 */
export function layoutFlow(flow: MakeModule[], x = 0, y = 0): number {
  let rows = 1;
  let column = x;
  for (const module of flow) {
    module.metadata.designer.x = column;
    module.metadata.designer.y = y;
    if (module.onerror !== undefined)
      layoutFlow(module.onerror, column + HANDLER_OFFSET, y + HANDLER_OFFSET);
    if (module.routes !== undefined) {
      let used = 0;
      for (const route of module.routes) {
        used += layoutFlow(route.flow, column + COLUMN, y + used * ROW);
      }
      rows = Math.max(rows, used);
    }
    column += COLUMN;
  }
  return rows;
}

/**
 * The module with its keys in the order Make exports them (id, module, version, parameters,
 * filter, mapper, metadata, routes, onerror), so diffs against a real export line up.
 */
export function inExportOrder(module: MakeModule): MakeModule {
  const ordered: MakeModule = {
    id: module.id,
    module: module.module,
    version: module.version,
    ...(module.parameters === undefined ? {} : { parameters: module.parameters }),
    ...(module.filter === undefined ? {} : { filter: module.filter }),
    ...(module.mapper === undefined ? {} : { mapper: module.mapper }),
    metadata: module.metadata,
    ...(module.routes === undefined
      ? {}
      : { routes: module.routes.map((route) => ({ flow: route.flow.map(inExportOrder) })) }),
    ...(module.onerror === undefined ? {} : { onerror: module.onerror.map(inExportOrder) }),
  };
  return ordered;
}
