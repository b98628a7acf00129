/** The fast-check seed of CI runs (see fc-setup.ts); its own module so that importing it sets nothing up. */
export const CI_SEED = 20261124;
