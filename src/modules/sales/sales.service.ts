import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { inPipelinedTransaction } from '../../common/database/pipelined-transaction';
import { runStatement } from '../../common/database/sql-statement';
import { DomainError, FieldProblem, ValidationFailedError } from '../../common/errors/domain-error';
import { percentToBasisPoints } from '../../common/money/money';
import type { Env } from '../../config/env.schema';
import { AuditService } from '../audit/audit.service';
import type { Product } from '../catalog/product.entity';
import { ProductsService } from '../catalog/products.service';
import { InventoryService } from '../inventory/inventory.service';
import type { Store } from '../stores/store.entity';
import { StoresService } from '../stores/stores.service';
import type { CreateSaleDto } from './dto/create-sale.dto';
import { SaleResponse, toSaleResponse } from './dto/sale.response';
import {
  claimedSaleStatement,
  claimStatement,
  earlierSaleStatement,
  hashRequest,
  IdempotencyClaim,
} from './idempotency';
import {
  AmountTooLargeError,
  commissionOf,
  DiscountTooLargeError,
  MAX_SALE_AMOUNT,
  priceLines,
  settle,
  summarize,
  VatRates,
} from './sale-math';
import { SaleLine } from './sale-line.entity';
import { SalePayment } from './sale-payment.entity';
import { SaleReader } from './sale-reader';
import { NewSale, saleStatement } from './sale-writer';

const CLOCK_SKEW_MS = 5 * 60_000;
const MPESA_CODE = /^[A-Z0-9]{10}$/;

export interface SaleOutcome {
  sale: SaleResponse;
  replayed: boolean;
}

/**
 * A sale is one transaction: idempotency claim, stock for every line through the inventory
 * service, gapless receipt number, sale, lines, payments, commission and audit entry.
 */
@Injectable()
export class SalesService {
  private readonly vatRates: VatRates;
  private readonly maxLines: number;
  private readonly maxBackdateMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly stores: StoresService,
    private readonly products: ProductsService,
    private readonly inventory: InventoryService,
    private readonly audit: AuditService,
    private readonly reader: SaleReader,
    config: ConfigService<Env, true>,
  ) {
    this.vatRates = {
      standard: percentToBasisPoints(config.get('VAT_STANDARD_RATE', { infer: true })),
      zero: 0,
      exempt: 0,
    };
    this.maxLines = config.get('SALE_MAX_LINES', { infer: true });
    this.maxBackdateMs = config.get('SALE_MAX_BACKDATE_HOURS', { infer: true }) * 3_600_000;
  }

  async create(
    user: AuthUser,
    dto: CreateSaleDto,
    idempotencyKey: string,
    meta: RequestMeta,
  ): Promise<SaleOutcome> {
    const saleId = randomUUID();
    const claim: IdempotencyClaim = {
      userId: user.id,
      key: idempotencyKey,
      requestHash: hashRequest(dto),
      saleId,
    };
    const admitted = await this.admit(user, dto, claim);
    if ('replayOf' in admitted) {
      return {
        sale: await this.reader.load(this.dataSource.manager, admitted.replayOf),
        replayed: true,
      };
    }
    const { store, occurredAt } = admitted;
    const productIds = dto.items.map((item) => item.productId);
    // Two round trips: claim, products and stock locks; then the writes with COMMIT.
    const outcome = await inPipelinedTransaction(this.dataSource, async (transaction) => {
      const [claimed, found, locked] = await transaction.send(
        claimStatement(claim),
        this.products.findByIdsStatement(productIds),
        this.inventory.lockStatement(store.id, productIds),
      );
      if (!claimed) {
        const [replayOf] = await transaction.send(claimedSaleStatement(claim));
        return { replayOf };
      }
      const products = this.activeProducts(dto, found);
      const lines = this.price(dto, products);
      const totals = summarize(lines);
      const settlement = settle(totals.total, dto.payments);
      if (!settlement.ok) throw new DomainError('PAYMENT_MISMATCH', settlement.reason);
      const move = this.inventory.planMove(
        {
          storeId: store.id,
          reason: 'sale',
          lines: lines.map((line) => ({ productId: line.productId, delta: -line.quantity })),
          referenceType: 'sale',
          referenceId: saleId,
          userId: user.id,
          productReorderLevels: new Map(
            [...products.values()].map((product) => [product.id, product.reorderLevel]),
          ),
        },
        locked,
      );
      const commissionRateBp = percentToBasisPoints(user.commissionRate);
      const sale: NewSale = {
        id: saleId,
        storeId: store.id,
        cashierId: user.id,
        status: 'completed',
        subtotal: totals.subtotal,
        discountTotal: totals.discountTotal,
        vatTotal: totals.vatTotal,
        total: totals.total,
        paid: settlement.paid,
        change: settlement.change,
        commission: commissionOf(totals.total, totals.vatTotal, commissionRateBp),
        commissionRateBp,
        commissionReversed: 0,
        vatBreakdown: totals.vatBreakdown,
        customerPhone: dto.customerPhone ?? null,
        occurredAt,
      };
      const saleLines = lines.map((line, index) => {
        const product = products.get(line.productId) as Product;
        return Object.assign(new SaleLine(), {
          id: randomUUID(),
          saleId: sale.id,
          lineNo: index + 1,
          productId: line.productId,
          sku: product.sku,
          name: product.name,
          quantity: line.quantity,
          unitPrice: line.unitPrice,
          discount: line.discount,
          taxClass: line.taxClass,
          vatRateBp: line.vatRateBp,
          vat: line.vat,
          total: line.total,
          returnedQuantity: 0,
        });
      });
      const payments = dto.payments.map((payment, index) =>
        Object.assign(new SalePayment(), {
          saleId: sale.id,
          position: index + 1,
          method: payment.method,
          amount: payment.amount,
          reference: payment.reference ?? null,
          phone: payment.phone ?? null,
        }),
      );
      const audit = this.audit.recordStatement({
        action: 'sale.created',
        userId: user.id,
        username: user.username,
        entityType: 'sale',
        entityId: sale.id,
        storeId: store.id,
        ip: meta.ip,
        userAgent: meta.userAgent,
        details: { total: totals.total, lines: lines.length },
      });
      // The receipt counter, the most contended lock, is taken in the last round trip.
      const [written] = await transaction.commit(
        saleStatement(store.code, sale, saleLines, payments),
        audit,
        ...move.statements,
      );
      return { sale: toSaleResponse({ ...sale, ...written }, saleLines, payments) };
    });
    if (outcome.replayOf === undefined) return { sale: outcome.sale, replayed: false };
    return {
      sale: await this.reader.load(this.dataSource.manager, outcome.replayOf),
      replayed: true,
    };
  }

  /**
   * The checks made before the sale's transaction: the store (visible, active) and the rules of
   * checkRequest. A retry of a sale already made gets that sale instead of their error, since
   * it may no longer pass them (the store deactivated since, occurredAt now beyond the window).
   */
  private async admit(
    user: AuthUser,
    dto: CreateSaleDto,
    claim: IdempotencyClaim,
  ): Promise<{ store: Store; occurredAt: Date } | { replayOf: string }> {
    try {
      const store = await this.stores.requireVisible(user, dto.storeId);
      if (!store.active)
        throw new ValidationFailedError([
          { field: 'storeId', problems: ['the store is inactive'] },
        ]);
      return { store, occurredAt: this.checkRequest(dto) };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const replayOf = await runStatement(this.dataSource.manager, earlierSaleStatement(claim));
      if (replayOf === undefined) throw error;
      return { replayOf };
    }
  }

  /** Shape rules the DTO cannot express; returns when the sale happened. */
  private checkRequest(dto: CreateSaleDto): Date {
    const problems: FieldProblem[] = [];
    if (dto.items.length > this.maxLines)
      problems.push({ field: 'items', problems: [`at most ${this.maxLines} lines per sale`] });
    const seen = new Set<string>();
    dto.items.forEach((item, index) => {
      if (seen.has(item.productId)) {
        problems.push({
          field: `items.${index}.productId`,
          problems: ['each product may appear once per sale: use quantity'],
        });
      }
      seen.add(item.productId);
    });
    dto.payments.forEach((payment, index) => {
      if (payment.method !== 'mpesa') return;
      if (!payment.phone && !payment.reference) {
        problems.push({
          field: `payments.${index}`,
          problems: ['an M-Pesa payment needs phone and/or reference'],
        });
      }
      if (payment.reference && !MPESA_CODE.test(payment.reference)) {
        problems.push({
          field: `payments.${index}.reference`,
          problems: ['an M-Pesa code is 10 upper-case letters or digits'],
        });
      }
    });
    const now = Date.now();
    const occurredAt = dto.occurredAt ? new Date(dto.occurredAt) : new Date(now);
    if (occurredAt.getTime() > now + CLOCK_SKEW_MS)
      problems.push({ field: 'occurredAt', problems: ['must not be in the future'] });
    if (occurredAt.getTime() < now - this.maxBackdateMs) {
      problems.push({
        field: 'occurredAt',
        problems: [`must be within the last ${this.maxBackdateMs / 3_600_000} hours`],
      });
    }
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return occurredAt;
  }

  private activeProducts(dto: CreateSaleDto, found: Product[]): Map<string, Product> {
    const products = new Map(
      found.filter((product) => product.active).map((product) => [product.id, product]),
    );
    const problems = dto.items.flatMap((item, index) =>
      products.has(item.productId)
        ? []
        : [{ field: `items.${index}.productId`, problems: ['unknown or inactive product'] }],
    );
    if (problems.length > 0) throw new ValidationFailedError(problems);
    return products;
  }

  private price(dto: CreateSaleDto, products: Map<string, Product>) {
    try {
      return priceLines(
        dto.items.map((item) => {
          const product = products.get(item.productId) as Product;
          return {
            productId: item.productId,
            quantity: item.quantity,
            discount: item.discount ?? 0,
            unitPrice: product.unitPrice,
            taxClass: product.taxClass,
          };
        }),
        this.vatRates,
      );
    } catch (error) {
      if (error instanceof AmountTooLargeError) {
        throw new ValidationFailedError([
          error.index === null
            ? { field: 'items', problems: [`the sale would exceed ${MAX_SALE_AMOUNT} minor units`] }
            : {
                field: `items.${error.index}.quantity`,
                problems: [`the line would exceed ${MAX_SALE_AMOUNT} minor units`],
              },
        ]);
      }
      if (!(error instanceof DiscountTooLargeError)) throw error;
      throw new ValidationFailedError([
        {
          field: `items.${error.index}.discount`,
          problems: ['discount is larger than the line amount'],
        },
      ]);
    }
  }
}
