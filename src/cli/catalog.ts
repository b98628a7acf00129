// Every server `netkit serve` starts. Each area exports its own entries; this list only joins them.

import { courseCatalog } from '../chat/catalog.js';
import type { CatalogEntry } from '../core/service.js';
import { rpcCatalog } from '../rpc/catalog.js';
import { rpcDemoCatalog } from '../rpc/demo/catalog.js';
import { servicesCatalog } from '../services/catalog.js';

export const catalog: CatalogEntry[] = [
  ...courseCatalog,
  ...servicesCatalog,
  ...rpcCatalog,
  ...rpcDemoCatalog,
];
