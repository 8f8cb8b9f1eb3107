// The `mnist` package ships no types; this is the part scripts/mnist.ts and
// demo/prepare.ts use.
declare module 'mnist' {
  interface Digit {
    length: number;
    get(i: number): number[];
  }
  const digits: Digit[];
  export default digits;
}
