import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuthUser, visibleStoreIds } from '../../common/auth/auth-user';
import type { RequestMeta } from '../../common/auth/decorators';
import { runStatement } from '../../common/database/sql-statement';
import { inTransaction } from '../../common/database/transaction';
import {
  DomainError,
  FieldProblem,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { InventoryService } from '../inventory/inventory.service';
import type { CreateReturnDto } from './dto/create-return.dto';
import { SaleReturnResponse, toSaleReturnResponse } from './dto/sale-return.response';
import {
  claimedReturnStatement,
  claimStatement,
  hashRequest,
  IdempotencyClaim,
} from './idempotency';
import { commissionToReverse, exVatReturned, refundOf } from './sale-return-math';
import { SaleLine } from './sale-line.entity';
import { SaleReturnLine } from './sale-return-line.entity';
import { SaleReturn } from './sale-return.entity';
import { Sale, SaleStatus } from './sale.entity';

interface ReturnedUnits {
  saleLine: SaleLine;
  quantity: number;
}

export interface ReturnOutcome {
  saleReturn: SaleReturnResponse;
  replayed: boolean;
}

/**
 * A return is one transaction on the locked sale: refund per line by cumulative allocation,
 * returned quantities, sale status, commission reversal, optional restock through the inventory
 * service, and the audit entry. Concurrent returns of one sale queue on the sale row.
 */
@Injectable()
export class SaleReturnsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inventory: InventoryService,
    private readonly audit: AuditService,
  ) {}

  /**
   * With an Idempotency-Key, the same key and body again (a manager's retry on a bad line)
   * answers the return already made instead of refunding twice, as for sales.
   */
  async create(
    user: AuthUser,
    saleId: string,
    dto: CreateReturnDto,
    meta: RequestMeta,
    idempotencyKey?: string,
  ): Promise<ReturnOutcome> {
    rejectRepeatedLines(dto);
    const returnId = randomUUID();
    const claim: IdempotencyClaim | undefined = idempotencyKey
      ? {
          userId: user.id,
          key: idempotencyKey,
          requestHash: hashRequest({ saleId, return: dto }),
          returnId,
        }
      : undefined;
    type Outcome = { made: SaleReturnResponse } | { replayOf: string };
    const outcome = await inTransaction(this.dataSource, async (manager): Promise<Outcome> => {
      if (claim && !(await runStatement(manager, claimStatement(claim))))
        return { replayOf: await runStatement(manager, claimedReturnStatement(claim)) };
      return { made: await this.make(manager, user, saleId, returnId, dto, meta) };
    });
    if ('made' in outcome) return { saleReturn: outcome.made, replayed: false };
    return { saleReturn: await this.load(outcome.replayOf, dto), replayed: true };
  }

  private async make(
    manager: EntityManager,
    user: AuthUser,
    saleId: string,
    returnId: string,
    dto: CreateReturnDto,
    meta: RequestMeta,
  ): Promise<SaleReturnResponse> {
    const sale = await this.lockVisibleSale(manager, user, saleId);
    const saleLines = await manager.find(SaleLine, {
      where: { saleId },
      order: { lineNo: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    const returned = matchReturnedUnits(dto, saleLines);

    const returnLines = returned.map(({ saleLine, quantity }) =>
      Object.assign(new SaleReturnLine(), {
        returnId,
        storeId: sale.storeId,
        saleLineId: saleLine.id,
        productId: saleLine.productId,
        quantity,
        ...refundOf(saleLine, quantity),
      }),
    );
    const refundTotal = returnLines.reduce((acc, line) => acc + line.refund, 0);
    const vatRefund = returnLines.reduce((acc, line) => acc + line.vat, 0);
    const returnedNow = new Map(returned.map(({ saleLine, quantity }) => [saleLine.id, quantity]));
    const commissionReversed = commissionToReverse(
      sale,
      exVatReturned(
        saleLines.map((line) => ({
          ...line,
          returnedQuantity: line.returnedQuantity + (returnedNow.get(line.id) ?? 0),
        })),
      ),
    );

    const saleReturn: Omit<SaleReturn, 'createdAt'> = {
      id: returnId,
      saleId,
      storeId: sale.storeId,
      reason: dto.reason,
      restock: dto.restock,
      refundMethod: dto.refundMethod,
      refundTotal,
      vatRefund,
      commissionReversed,
      createdBy: user.id,
    };
    const inserted = await manager.insert(SaleReturn, saleReturn);
    await manager.insert(SaleReturnLine, returnLines);
    await this.markReturned(manager, sale, saleLines, returned, commissionReversed);
    if (dto.restock) {
      await this.inventory.move(manager, {
        storeId: sale.storeId,
        reason: 'return',
        lines: returned.map(({ saleLine, quantity }) => ({
          productId: saleLine.productId,
          delta: quantity,
        })),
        referenceType: 'sale_return',
        referenceId: returnId,
        userId: user.id,
      });
    }
    await this.audit.record(manager, {
      action: 'sale.returned',
      userId: user.id,
      username: user.username,
      entityType: 'sale',
      entityId: saleId,
      storeId: sale.storeId,
      ip: meta.ip,
      userAgent: meta.userAgent,
      details: {
        returnId,
        refundTotal,
        vatRefund,
        commissionReversed,
        refundMethod: dto.refundMethod,
        restock: dto.restock,
        lines: returnLines.map((line) => ({
          lineId: line.saleLineId,
          quantity: line.quantity,
          refund: line.refund,
        })),
      },
    });
    const createdAt = (inserted.generatedMaps[0] as { createdAt: Date }).createdAt;
    return toSaleReturnResponse({ ...saleReturn, createdAt }, returnLines);
  }

  /** A return already made, its lines in the order the (same) request listed them. */
  private async load(returnId: string, dto: CreateReturnDto): Promise<SaleReturnResponse> {
    const manager = this.dataSource.manager;
    const saleReturn = await manager.findOneByOrFail(SaleReturn, { id: returnId });
    const lines = await manager.findBy(SaleReturnLine, { returnId });
    const position = new Map(dto.items.map((item, index) => [item.lineId, index]));
    lines.sort((a, b) => (position.get(a.saleLineId) ?? 0) - (position.get(b.saleLineId) ?? 0));
    return toSaleReturnResponse(saleReturn, lines);
  }

  /** Locks the sale if the caller may see its store; any other sale is "not found". */
  private async lockVisibleSale(
    manager: EntityManager,
    user: AuthUser,
    saleId: string,
  ): Promise<Sale> {
    const visible = visibleStoreIds(user);
    if (visible !== 'all' && visible.length === 0) throw new NotFoundError('Sale');
    const sale = await manager.findOne(Sale, {
      where: visible === 'all' ? { id: saleId } : { id: saleId, storeId: In(visible) },
      lock: { mode: 'pessimistic_write' },
    });
    if (!sale) throw new NotFoundError('Sale');
    return sale;
  }

  /** Adds the returned units to their lines, then sets the sale's status and reversed commission. */
  private async markReturned(
    manager: EntityManager,
    sale: Sale,
    saleLines: SaleLine[],
    returned: ReturnedUnits[],
    commissionReversed: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE sale_lines SET returned_quantity = sale_lines.returned_quantity + returned.quantity
         FROM unnest($1::uuid[], $2::int[]) AS returned(line_id, quantity)
        WHERE sale_lines.id = returned.line_id`,
      [returned.map(({ saleLine }) => saleLine.id), returned.map(({ quantity }) => quantity)],
    );
    for (const { saleLine, quantity } of returned) saleLine.returnedQuantity += quantity;
    const status: SaleStatus = saleLines.every((line) => line.returnedQuantity === line.quantity)
      ? 'returned'
      : 'partially_returned';
    await manager.update(
      Sale,
      { id: sale.id },
      { status, commissionReversed: sale.commissionReversed + commissionReversed },
    );
  }
}

/** Each sale line at most once per return (the DTO cannot say so). */
function rejectRepeatedLines(dto: CreateReturnDto): void {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  dto.items.forEach((item, index) => {
    if (seen.has(item.lineId)) {
      problems.push({
        field: `items.${index}.lineId`,
        problems: ['each line may appear once per return: use quantity'],
      });
    }
    seen.add(item.lineId);
  });
  if (problems.length > 0) throw new ValidationFailedError(problems);
}

/**
 * Pairs each item with its (locked) sale line: 400 for a line of another sale, 422
 * RETURN_EXCEEDS_SALE listing every line asked for more than it still has.
 */
function matchReturnedUnits(dto: CreateReturnDto, saleLines: SaleLine[]): ReturnedUnits[] {
  const linesById = new Map(saleLines.map((line) => [line.id, line]));
  const unknown = dto.items.flatMap((item, index) =>
    linesById.has(item.lineId)
      ? []
      : [{ field: `items.${index}.lineId`, problems: ['not a line of this sale'] }],
  );
  if (unknown.length > 0) throw new ValidationFailedError(unknown);
  const returned = dto.items.map((item) => ({
    saleLine: linesById.get(item.lineId) as SaleLine,
    quantity: item.quantity,
  }));
  const exceeding = returned
    .map(({ saleLine, quantity }) => ({
      lineId: saleLine.id,
      requested: quantity,
      returnable: saleLine.quantity - saleLine.returnedQuantity,
    }))
    .filter((line) => line.requested > line.returnable);
  if (exceeding.length > 0) {
    throw new DomainError(
      'RETURN_EXCEEDS_SALE',
      'Returning more than was sold minus already returned; nothing was returned',
      exceeding,
    );
  }
  return returned;
}
