// Component factories by kind and type. The built-in set is registered in src/components.ts.
import type { ComponentKind, Factory } from './component.js';

export class Registry {
  private readonly factories = new Map<string, Factory>();

  register(factory: Factory): this {
    const key = `${factory.kind}:${factory.type}`;
    if (this.factories.has(key)) throw new Error(`duplicate ${factory.kind} factory "${factory.type}"`);
    this.factories.set(key, factory);
    return this;
  }

  get(kind: ComponentKind, type: string): Factory | undefined {
    return this.factories.get(`${kind}:${type}`);
  }

  types(kind: ComponentKind): string[] {
    return [...this.factories.values()].filter((f) => f.kind === kind).map((f) => f.type).sort();
  }
}
