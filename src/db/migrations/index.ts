import type { Migration } from '../migrate.ts';

/** Migrations written as code (data loads). SQL migrations are the `.sql` files of this folder. */
export const codeMigrations: Migration[] = [];
