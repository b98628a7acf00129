// @stellar/js-xdr 4 ships no types; the bench uses it untyped.
declare module '@stellar/js-xdr';
