import type { TaxClass } from '../catalog/product.entity';

/** [name, category, price in KES, tax class, barcode or null]: a small Kenyan supermarket. */
const ITEMS: [string, string, number, TaxClass, string | null][] = [
  ['Brookside Milk 500ml', 'Dairy', 65, 'zero', '6161100420014'],
  ['Fresha Yoghurt 250ml', 'Dairy', 90, 'standard', null],
  ['KCC Butter 250g', 'Dairy', 380, 'standard', null],
  ['Unga wa Ugali Jogoo 2kg', 'Flour', 210, 'zero', null],
  ['Exe Wheat Flour 2kg', 'Flour', 230, 'zero', null],
  ['Pembe Maize Flour 2kg', 'Flour', 205, 'zero', null],
  ['Mumias Sugar 1kg', 'Sugar', 185, 'standard', null],
  ['Kabras Sugar 2kg', 'Sugar', 360, 'standard', null],
  ['Kenya Tea Ketepa 250g', 'Beverages', 240, 'standard', null],
  ['Nescafe Classic 100g', 'Beverages', 650, 'standard', null],
  ['Dormans Coffee 250g', 'Beverages', 720, 'standard', null],
  ['Coca-Cola 500ml', 'Beverages', 80, 'standard', null],
  ['Fanta Orange 500ml', 'Beverages', 80, 'standard', null],
  ['Dasani Water 1L', 'Beverages', 70, 'standard', null],
  ['Keringet Water 1.5L', 'Beverages', 110, 'standard', null],
  ['Minute Maid Mango 1L', 'Beverages', 260, 'standard', null],
  ['Supa Loaf Bread 400g', 'Bakery', 65, 'zero', null],
  ['Festive Bread 600g', 'Bakery', 90, 'zero', null],
  ['Kenblest Buns 6pcs', 'Bakery', 120, 'standard', null],
  ['Eggs Tray 30pcs', 'Fresh', 480, 'exempt', null],
  ['Tomatoes 1kg', 'Fresh', 120, 'exempt', null],
  ['Onions 1kg', 'Fresh', 140, 'exempt', null],
  ['Sukuma Wiki Bunch', 'Fresh', 30, 'exempt', null],
  ['Bananas 1kg', 'Fresh', 100, 'exempt', null],
  ['Potatoes 2kg', 'Fresh', 220, 'exempt', null],
  ['Pishori Rice 2kg', 'Grains', 420, 'standard', null],
  ['Daawat Basmati 1kg', 'Grains', 340, 'standard', null],
  ['Green Grams 1kg', 'Grains', 260, 'exempt', null],
  ['Beans Rosecoco 1kg', 'Grains', 230, 'exempt', null],
  ['Kimbo Cooking Fat 1kg', 'Cooking', 420, 'standard', null],
  ['Fresh Fri Oil 1L', 'Cooking', 390, 'standard', null],
  ['Golden Fry Oil 3L', 'Cooking', 1050, 'standard', null],
  ['Royco Mchuzi Mix 200g', 'Cooking', 150, 'standard', null],
  ['Kensalt 1kg', 'Cooking', 45, 'standard', null],
  ['Omo Washing Powder 1kg', 'Household', 330, 'standard', null],
  ['Ariel Powder 500g', 'Household', 210, 'standard', null],
  ['Menengai Bar Soap 1kg', 'Household', 240, 'standard', null],
  ['Jik Bleach 750ml', 'Household', 180, 'standard', null],
  ['Harpic Toilet Cleaner 500ml', 'Household', 290, 'standard', null],
  ['Velvex Tissue 10 Rolls', 'Household', 520, 'standard', null],
  ['Colgate Toothpaste 140g', 'Personal care', 230, 'standard', null],
  ['Geisha Soap 225g', 'Personal care', 120, 'standard', null],
  ['Nivea Lotion 400ml', 'Personal care', 650, 'standard', null],
  ['Always Pads 8s', 'Personal care', 110, 'exempt', null],
  ['Pampers Diapers Size 3', 'Baby', 1450, 'standard', null],
  ['Cerelac Wheat 400g', 'Baby', 690, 'standard', null],
  ['Tusker Lager 500ml', 'Alcohol', 250, 'standard', null],
  ['Safaricom Airtime 100', 'Airtime', 100, 'exempt', null],
  ['Exercise Book 96pg', 'Stationery', 60, 'zero', null],
  ['Bic Pen Blue', 'Stationery', 25, 'standard', null],
];

export interface DemoProduct {
  sku: string;
  name: string;
  category: string;
  unitPrice: number;
  costPrice: number;
  taxClass: TaxClass;
  barcode?: string;
  reorderLevel: number;
}

export const DEMO_PRODUCTS: DemoProduct[] = ITEMS.map(
  ([name, category, kes, taxClass, barcode], index) => ({
    sku: `DEMO-${String(index + 1).padStart(3, '0')}`,
    name,
    category,
    unitPrice: kes * 100,
    costPrice: Math.round(kes * 75),
    taxClass,
    ...(barcode ? { barcode } : {}),
    reorderLevel: 5 + (index % 4) * 5,
  }),
);
