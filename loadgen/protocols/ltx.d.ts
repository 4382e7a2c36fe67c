// The part of ltx 3 (an XML parser shipped without types) that the XMPP adapter uses.
declare module 'ltx' {
  export class Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: Array<Element | string>;
    /** The name without its prefix (`stream:features` → `features`). */
    getName(): string;
    getNS(): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
  }
  /** One whole element; throws on malformed XML. */
  export function parse(xml: string): Element;
}
