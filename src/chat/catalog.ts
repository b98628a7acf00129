// The course's own servers, as `netkit serve` starts them.

import type { CatalogEntry } from '../core/service.js';

export const courseCatalog: CatalogEntry[] = [];
