/** Exit code slot the command actions set (commander actions cannot return values); main.ts reads it. */
export interface ExitBox {
  code: number;
}
