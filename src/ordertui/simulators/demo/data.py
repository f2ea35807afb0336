"""What the demo supplier sells and to whom: a small, realistic catalogue and customers from
the countries dropshipping shops sell to, with the names those countries have (Müller, 王芳,
Zoë, Łukasz, ...)."""

from __future__ import annotations

# (title, [variants], sku stem, unit cost in USD, retail price in USD)
PRODUCTS: list[tuple[str, list[str], str, str, str]] = [
    ("LED Desk Lamp with Wireless Charger", ["Black", "White"], "LAMP-WC", "14.20", "39.90"),
    ("Sunset Projection Lamp", ["Sunset Red", "Rainbow", "Sun"], "LAMP-SUN", "6.80", "24.95"),
    ("Moon Lamp 3D Printed", ["15 cm", "18 cm", "20 cm"], "LAMP-MOON", "8.40", "29.00"),
    ("Portable Neck Fan", ["Pink", "Blue", "White"], "FAN-NECK", "5.10", "19.99"),
    ("Posture Corrector Brace", ["S", "M", "L", "XL"], "POST-BR", "3.90", "21.50"),
    ("Magnetic Phone Car Mount", ["Vent", "Dashboard"], "CAR-MNT", "2.30", "14.90"),
    ("Silicone Kitchen Utensil Set (12 pcs)", ["Grey", "Green", "Black"], "KIT-UT12",
     "9.70", "34.99"),
    ("Electric Milk Frother", ["Black", "Silver"], "KIT-FROTH", "3.20", "15.90"),
    ("Reusable Silicone Food Bags (6 pcs)", ["Mixed"], "KIT-BAG6", "4.60", "18.00"),
    ("Bamboo Cutting Board Set", ["3 pcs"], "KIT-BAMB", "11.30", "36.00"),
    ("Pet Hair Remover Roller", ["Blue", "Grey"], "PET-ROLL", "2.70", "16.95"),
    ("Dog Paw Cleaner Cup", ["S", "M", "L"], "PET-PAW", "4.10", "22.00"),
    ("Cat Window Hammock", ["Beige", "Grey"], "PET-HAM", "6.90", "27.90"),
    ("Interactive Cat Laser Toy", ["White"], "PET-LASER", "5.50", "24.00"),
    ("Automatic Pet Water Fountain 2L", ["White", "Blue"], "PET-FOUNT", "12.80", "44.90"),
    ("Resistance Bands Set", ["Light", "Medium", "Heavy"], "FIT-BAND", "3.40", "19.90"),
    ("Smart Jump Rope with Counter", ["Black", "Pink"], "FIT-ROPE", "4.90", "21.90"),
    ("Massage Gun Mini", ["Black", "Grey", "Mint"], "FIT-MASS", "22.50", "69.00"),
    ("Yoga Mat Non-Slip 6 mm", ["Purple", "Teal", "Black"], "FIT-YOGA", "7.80", "32.00"),
    ("Wireless Earbuds TWS", ["Black", "White"], "AUD-TWS", "9.60", "39.99"),
    ("Bluetooth Shower Speaker", ["Blue", "Black", "Pink"], "AUD-SHWR", "5.80", "23.90"),
    ("Bone Conduction Headphones", ["Black"], "AUD-BONE", "18.40", "59.00"),
    ("Smart Watch Fitness Tracker", ["Black", "Rose Gold", "Silver"], "WEAR-SW",
     "16.70", "54.90"),
    ("Blue Light Blocking Glasses", ["Black", "Tortoise"], "WEAR-BLUE", "2.90", "19.00"),
    ("Minimalist Leather Wallet RFID", ["Brown", "Black"], "ACC-WAL", "4.40", "24.90"),
    ("Anti-Theft Travel Backpack", ["Grey", "Black", "Navy"], "BAG-ANTI", "17.90", "59.90"),
    ("Waterproof Phone Pouch", ["Clear"], "ACC-POUCH", "1.60", "9.99"),
    ("Car Seat Gap Filler (2 pcs)", ["Black", "Beige"], "CAR-GAP", "3.70", "17.90"),
    ("Car Vacuum Cleaner Cordless", ["Black", "White"], "CAR-VAC", "13.90", "44.00"),
    ("LED Strip Lights 5 m RGB", ["5 m", "10 m", "20 m"], "LIGHT-LED", "6.20", "26.90"),
    ("Galaxy Star Projector", ["Black", "White"], "LIGHT-GAL", "11.60", "39.00"),
    ("Motion Sensor Closet Light (3 pcs)", ["Warm", "Cool"], "LIGHT-MOT", "7.10", "25.90"),
    ("Self-Watering Plant Pot", ["White", "Terracotta"], "HOME-POT", "3.30", "16.50"),
    ("Electric Wine Opener Set", ["Black", "Silver"], "KIT-WINE", "8.90", "32.90"),
    ("Portable Blender USB", ["Pink", "Blue", "Green", "White"], "KIT-BLEND", "7.40", "29.90"),
    ("Makeup Brush Cleaner Machine", ["White"], "BEA-BRUSH", "4.30", "19.95"),
    ("Ice Roller for Face", ["Blue", "Pink"], "BEA-ICE", "2.10", "13.90"),
    ("Heatless Hair Curler Headband", ["Pink", "Beige", "Black"], "BEA-CURL", "1.90", "14.95"),
    ("Electric Scalp Massager", ["White", "Green"], "BEA-SCALP", "6.60", "27.00"),
    ("Baby Nasal Aspirator Electric", ["White"], "BABY-NAS", "9.20", "34.00"),
    ("Silicone Baby Bib (2 pcs)", ["Sage", "Rose", "Sand"], "BABY-BIB", "2.40", "15.00"),
    ("Kids Drawing Tablet LCD", ["8.5 in", "10 in", "12 in"], "KID-DRAW", "3.60", "17.99"),
    ("Montessori Busy Board", ["Wood"], "KID-BUSY", "10.80", "38.00"),
    ("Ergonomic Laptop Stand", ["Silver", "Space Grey"], "OFF-STAND", "9.90", "36.90"),
    ("Cable Organizer Box", ["White", "Black"], "OFF-CABLE", "5.20", "21.00"),
    ("Under-Desk Treadmill Pad", ["Black"], "OFF-TRED", "78.00", "229.00"),
    ("Handheld Garment Steamer", ["White", "Black"], "HOME-STEAM", "11.40", "39.90"),
    ("Electric Lint Remover", ["Grey", "White"], "HOME-LINT", "4.80", "19.90"),
    ("Shower Head Filter High Pressure", ["Chrome", "Black"], "BATH-SHWR", "6.10", "28.00"),
    ("Toothbrush Holder Wall-Mounted", ["White", "Grey"], "BATH-TB", "3.50", "18.90"),
    ("Camping Lantern Rechargeable", ["Green", "Black"], "OUT-LANT", "7.30", "29.90"),
    ("Collapsible Water Bottle", ["Blue", "Grey", "Pink"], "OUT-BOTT", "2.80", "15.90"),
    ("Solar Garden Lights (8 pcs)", ["Warm White", "Multicolour"], "OUT-SOLAR",
     "10.20", "34.90"),
    ("Bike Phone Holder", ["Black"], "OUT-BIKE", "3.10", "16.00"),
    ("Knee Massager Heated", ["Grey"], "HEAL-KNEE", "24.60", "79.00"),
    ("Acupressure Mat and Pillow", ["Blue", "Purple"], "HEAL-ACU", "8.70", "34.00"),
    ("Mini Projector 1080p", ["White"], "TECH-PROJ", "34.00", "99.00"),
    ("Magnetic Power Bank 10000 mAh", ["White", "Black", "Purple"], "TECH-PB",
     "9.80", "35.00"),
    ("Keyboard Cleaning Gel", ["Yellow"], "TECH-GEL", "0.90", "8.90"),
    ("Phone Camera Lens Kit", ["3 in 1", "5 in 1"], "TECH-LENS", "5.40", "22.90"),
]

# country -> (weight, currency the shop charges in, phone prefix)
COUNTRIES: dict[str, tuple[int, str, str]] = {
    "US": (34, "USD", "+1"), "DE": (12, "EUR", "+49"), "GB": (10, "GBP", "+44"),
    "FR": (7, "EUR", "+33"), "CA": (7, "CAD", "+1"), "AU": (6, "AUD", "+61"),
    "NL": (4, "EUR", "+31"), "AT": (3, "EUR", "+43"), "CH": (3, "CHF", "+41"),
    "ES": (3, "EUR", "+34"), "IT": (3, "EUR", "+39"), "SE": (2, "SEK", "+46"),
    "PL": (2, "PLN", "+48"), "JP": (2, "JPY", "+81"), "TW": (1, "USD", "+886"),
    "SG": (1, "USD", "+65"),
}

FIRST_NAMES: dict[str, list[str]] = {
    "US": ["James", "Mary", "Olivia", "Liam", "Emma", "Noah", "Ava", "Zoë", "Mia", "Ethan",
           "Sophia", "Lucas", "Isabella", "Mason", "Harper", "Chloé", "Aiden", "José"],
    "DE": ["Anna", "Lukas", "Jürgen", "Sören", "Mia", "Felix", "Lea", "Jörg", "Hannah",
           "Maximilian", "Käthe", "Paul", "Marie", "Björn", "Lena"],
    "GB": ["Oliver", "Amelia", "George", "Isla", "Harry", "Freya", "Jack", "Zoë", "Alfie",
           "Niamh", "Siobhán"],
    "FR": ["Léa", "Hugo", "Chloé", "Louis", "Camille", "Gabriel", "Inès", "Raphaël",
           "Zoé", "Noël", "Anaïs", "Jérôme"],
    "CA": ["Liam", "Emma", "Noah", "Charlotte", "Benjamin", "Amélie", "Étienne", "Olivia"],
    "AU": ["Charlotte", "Jack", "Olivia", "William", "Matilda", "Cooper", "Isla"],
    "NL": ["Daan", "Emma", "Sem", "Julia", "Lotte", "Bram", "Fleur", "Thijs"],
    "AT": ["Lukas", "Anna", "Tobias", "Sophie", "Jakob", "Marlene", "Günther"],
    "CH": ["Noah", "Mia", "Luca", "Lea", "Elias", "Chiara", "Aurélie", "Rétho"],
    "ES": ["Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Álvaro", "Nuria", "Iñigo"],
    "IT": ["Giulia", "Leonardo", "Sofia", "Francesco", "Aurora", "Niccolò", "Chiara"],
    "SE": ["Åsa", "Erik", "Maja", "Oskar", "Elsa", "Björn", "Saga", "Måns"],
    "PL": ["Łukasz", "Zofia", "Jakub", "Małgorzata", "Wojciech", "Agnieszka", "Paweł"],
    "JP": ["翔太", "さくら", "陽菜", "大翔", "結衣", "蓮"],
    "TW": ["芳", "偉", "婷", "俊傑", "怡君"],
    "SG": ["Wei Ling", "Arjun", "Siti", "Jun Jie", "Priya"],
}

LAST_NAMES: dict[str, list[str]] = {
    "US": ["Smith", "Johnson", "Williams", "Brown", "García", "Miller", "Davis", "Rodríguez",
           "Martínez", "Nguyen", "O'Connor", "Kim"],
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Meyer", "Wagner", "Größ",
           "Becker", "Schäfer", "Köhler"],
    "GB": ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Davies", "O'Brien", "Ní Bhriain"],
    "FR": ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Lefébure", "Girard", "Rousseau"],
    "CA": ["Tremblay", "Gagnon", "Roy", "Côté", "Smith", "Bouchard", "Lévesque"],
    "AU": ["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen"],
    "NL": ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser"],
    "AT": ["Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner", "Mösl"],
    "CH": ["Müller", "Meier", "Schmid", "Keller", "Weber", "Favre", "Rossi"],
    "ES": ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Núñez"],
    "IT": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo"],
    "SE": ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Lindström", "Öberg"],
    "PL": ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Zieliński"],
    "JP": ["佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤"],
    "TW": ["王", "陳", "林", "黃", "張", "李"],
    "SG": ["Tan", "Lim", "Lee", "Ng", "Kumar", "Abdullah"],
}

# (city, province, zip pattern with # for digits)
CITIES: dict[str, list[tuple[str, str, str]]] = {
    "US": [("Austin", "TX", "787##"), ("Denver", "CO", "802##"), ("Portland", "OR", "972##"),
           ("Columbus", "OH", "432##"), ("Brooklyn", "NY", "112##"), ("San Diego", "CA", "921##"),
           ("Miami", "FL", "331##"), ("Seattle", "WA", "981##")],
    "DE": [("Leipzig", "", "04###"), ("München", "", "80###"), ("Köln", "", "50###"),
           ("Berlin", "", "10###"), ("Düsseldorf", "", "40###"), ("Nürnberg", "", "90###")],
    "GB": [("London", "", "E1 #AA"), ("Manchester", "", "M# #AB"), ("Bristol", "", "BS# #XY"),
           ("Edinburgh", "", "EH# #PQ")],
    "FR": [("Paris", "", "750##"), ("Lyon", "", "6900#"), ("Besançon", "", "25000"),
           ("Nîmes", "", "30###")],
    "CA": [("Montréal", "QC", "H2X #A#"), ("Toronto", "ON", "M5V #B#"),
           ("Québec", "QC", "G1R #C#"), ("Vancouver", "BC", "V6B #D#")],
    "AU": [("Sydney", "NSW", "2###"), ("Melbourne", "VIC", "3###"), ("Brisbane", "QLD", "4###")],
    "NL": [("Amsterdam", "", "10## AB"), ("Utrecht", "", "35## CD"), ("Den Haag", "", "25## EF")],
    "AT": [("Wien", "", "1###"), ("Graz", "", "8###"), ("Linz", "", "4###")],
    "CH": [("Zürich", "ZH", "80##"), ("Genève", "GE", "12##"), ("Bern", "BE", "30##")],
    "ES": [("Madrid", "", "280##"), ("Barcelona", "", "080##"), ("A Coruña", "", "150##")],
    "IT": [("Milano", "MI", "201##"), ("Roma", "RM", "001##"), ("Forlì", "FC", "471##")],
    "SE": [("Stockholm", "", "1## ##"), ("Göteborg", "", "4## ##"), ("Malmö", "", "2## ##")],
    "PL": [("Warszawa", "", "0#-###"), ("Kraków", "", "3#-###"), ("Łódź", "", "9#-###")],
    "JP": [("東京都", "", "1##-####"), ("大阪市", "", "5##-####")],
    "TW": [("台北市", "", "1##"), ("高雄市", "", "8##")],
    "SG": [("Singapore", "", "######")],
}

STREETS: dict[str, list[str]] = {
    "US": ["Maple Ave", "Oak St", "Pine Rd", "Cedar Ln", "Elm St", "Washington Blvd"],
    "DE": ["Hauptstraße", "Schillerstraße", "Goethestraße", "Bahnhofstraße", "Große Gasse"],
    "GB": ["High Street", "Station Road", "Church Lane", "Victoria Road"],
    "FR": ["Rue de la République", "Avenue Jean Jaurès", "Rue Victor Hugo", "Place d'Italie"],
    "CA": ["Rue Saint-Denis", "King St W", "Boulevard René-Lévesque", "Main St"],
    "AU": ["George St", "Collins St", "Queen St"],
    "NL": ["Kerkstraat", "Prinsengracht", "Dorpsstraat"],
    "AT": ["Mariahilfer Straße", "Herrengasse", "Landstraße"],
    "CH": ["Bahnhofstrasse", "Rue du Rhône", "Marktgasse"],
    "ES": ["Calle Mayor", "Gran Vía", "Calle de Alcalá"],
    "IT": ["Via Roma", "Corso Italia", "Via Garibaldi"],
    "SE": ["Storgatan", "Kungsgatan", "Drottninggatan"],
    "PL": ["ul. Marszałkowska", "ul. Floriańska", "ul. Piotrkowska"],
    "JP": ["千代田1-1", "中央2-3", "本町4-5"],
    "TW": ["中山路", "忠孝東路", "民生路"],
    "SG": ["Orchard Road", "Jurong West St", "Tampines Ave"],
}

CARRIERS = ["YunExpress", "4PX", "Cainiao", "CJPacket", "YunExpress", "China Post", "DHL eCommerce"]

# (days after shipping, description, location)
TRACKING_STEPS: list[tuple[float, str, str]] = [
    (0.0, "Shipment information received", "Shenzhen, CN"),
    (0.6, "Accepted by carrier", "Shenzhen, CN"),
    (1.8, "Departed origin sorting centre", "Shenzhen, CN"),
    (3.5, "Departed origin country", "Hong Kong, HK"),
    (7.0, "Arrived in destination country", "{country}"),
    (8.5, "Customs clearance completed", "{country}"),
    (10.0, "Arrived at local sorting centre", "{city}"),
    (11.5, "Out for delivery", "{city}"),
    (12.0, "Delivered", "{city}"),
]

#: the supplier's questions when it asks for more details on a cancellation
INFO_QUESTIONS = [
    "Could you tell us why the customer wants to cancel? We may be able to ship a different colour instead.",  # noqa: E501
    "Please confirm the cancellation covers every item of this order, not only one line.",
    "Is the customer's address wrong? We can correct it instead of cancelling if you send it.",
]

REJECT_SHIPPED = ("The parcel has already left our warehouse ({tracking}). We cannot cancel a "
                  "shipped order; open a dispute if the customer has a problem with it.")

DISPUTE_ACCEPT = "We are sorry for the trouble. We agree to refund {amount}."
DISPUTE_OFFER = ("We checked the order. We can offer a partial refund of {amount}. Reply to "
                 "accept it, or escalate if you do not agree.")
DISPUTE_REJECT = ("Our records show the order was shipped as described (tracking {tracking}). "
                  "We cannot refund it. You can escalate the dispute to the platform.")
DISPUTE_AFTER_REPLY_ACCEPT = "Thank you for the details. We will refund {amount}."
DISPUTE_AFTER_REPLY_KEEP = "Thank you. Our offer of {amount} stands."
PLATFORM_REFUND = "The platform reviewed the case and decided in your favour: {amount} refunded."
PLATFORM_REJECT = "The platform reviewed the evidence and closed the case without a refund."

CUSTOMER_REASONS = ["Customer changed their mind", "Ordered the wrong size",
                    "Found it cheaper elsewhere", "Delivery takes too long"]
